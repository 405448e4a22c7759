/* sd-notify-run.c: what a run tells the service manager, read from the manager's end
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The test plays systemd: it binds an AF_UNIX datagram socket, names it in
 * $NOTIFY_SOCKET, runs a finalizer and reads every datagram the run sent.
 */

#include <stdlib.h>
#include <string.h>

#include "notify-manager.h"
#include "test-util.h"

/* What the library adds to a group's latest deadline (atexit-run-report.c). */
#define MARGIN_US (2 * G_USEC_PER_SEC)

/* One message: its lines, each "VARIABLE=value". */
typedef struct {
  char  *status;  /* (nullable) */
  gint64 extend;  /* -1 where there is no EXTEND_TIMEOUT_USEC= */
} Message;

static Message
parse (const char *datagram)
{
  g_auto(GStrv) lines = g_strsplit (datagram, "\n", -1);
  Message message = { NULL, -1 };

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "STATUS="))
        {
          g_assert_null (message.status);
          message.status = g_strdup (lines[i] + strlen ("STATUS="));
        }
      else if (g_str_has_prefix (lines[i], "EXTEND_TIMEOUT_USEC="))
        {
          const char *value = lines[i] + strlen ("EXTEND_TIMEOUT_USEC=");
          guint64 usec = 0;
          g_autoptr(GError) error = NULL;

          g_assert_cmpint (message.extend, ==, -1);
          g_ascii_string_to_unsigned (value, 10, 0, G_MAXINT64, &usec, &error);
          g_assert_no_error (error);
          message.extend = (gint64) usec;
        }
      else
        {
          g_error ("Unexpected line in a group's message: “%s”", lines[i]);
        }
    }

  return message;
}

static void
sync_noop (gpointer data)
{
}

#define TIMEOUT_MS        1000    /* the finalizer's, for each cleanup */
#define UPLOAD_MS         1500    /* a cleanup's own: longer than the finalizer's */
#define DB_MS             60000   /* longer than what is left of the total */
#define TOTAL_TIMEOUT_MS  5000

static void
test_run_tells (Fixture       *fx,
                gconstpointer  data)
{
  gboolean abstract = GPOINTER_TO_INT (data);
  static const char *const many[] = { "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9" };
  Item flush = { "flush", ACT_SUCCEED_LATER, 0 };
  Item upload = { "upload", ACT_SUCCEED_LATER, 0 };
  Item db = { "db", ACT_SUCCEED_LATER, 0 };
  Item worker = { "worker", ACT_SUCCEED_LATER, 0 };
  g_auto(RunResult) res = { 0 };
  g_autofree char *first = NULL;
  g_autofree char *high = NULL;
  g_autofree char *normal = NULL;
  g_autofree char *low = NULL;
  g_autofree char *last = NULL;
  Message message;
  Manager manager;
  gint64 before, after;

  manager_init (&manager, abstract);
  g_setenv ("NOTIFY_SOCKET", manager.variable, TRUE);

  atexit_loop_finalizer_set_timeout (fx->finalizer, TIMEOUT_MS);
  g_object_set (fx->finalizer, "total-timeout", TOTAL_TIMEOUT_MS, NULL);

  /* HIGH: one cleanup on the finalizer's timeout, one with a longer one of its own. */
  add_item (fx, &flush, G_PRIORITY_HIGH);
  g_assert_true (atexit_loop_finalizer_set_cleanup_timeout (fx->finalizer,
                                                            add_item (fx, &upload,
                                                                      G_PRIORITY_HIGH),
                                                            UPLOAD_MS));
  /* DEFAULT: a deadline past the run's total one. */
  g_assert_true (atexit_loop_finalizer_set_cleanup_timeout (fx->finalizer,
                                                            add_item (fx, &db,
                                                                      G_PRIORITY_DEFAULT),
                                                            DB_MS));
  /* LOW: a cleanup without deadline, among more than the status names. */
  for (gsize i = 0; i < G_N_ELEMENTS (many); i++)
    atexit_loop_finalizer_add_full (fx->finalizer, many[i], G_PRIORITY_LOW, sync_noop, NULL,
                                    NULL);
  g_assert_true (atexit_loop_finalizer_set_cleanup_timeout (fx->finalizer,
                                                            add_item (fx, &worker,
                                                                      G_PRIORITY_LOW),
                                                            0));

  before = g_get_monotonic_time ();
  run_and_wait (fx->finalizer, NULL, &res);
  after = g_get_monotonic_time ();
  g_assert_no_error (res.error);
  g_assert_true (res.ok);
  g_unsetenv ("NOTIFY_SOCKET");

  /* The manager learns first that the service is stopping. */
  first = manager_receive (&manager);
  g_assert_cmpstr (first, ==, "STOPPING=1");

  /* Each group, before it starts: its cleanups, last registered first, and its latest
   * deadline, the cleanup's own included, plus the margin. */
  high = manager_receive (&manager);
  message = parse (high);
  g_assert_cmpstr (message.status, ==, "Stopping: waiting for upload, flush");
  g_assert_cmpint (message.extend, ==, (gint64) UPLOAD_MS * 1000 + MARGIN_US);
  g_free (message.status);

  /* Never past the run's total deadline: what was left of it when the group started,
   * which is at most the total and at least what is left of it now. */
  normal = manager_receive (&manager);
  message = parse (normal);
  g_assert_cmpstr (message.status, ==, "Stopping: waiting for db");
  g_assert_cmpint (message.extend, <=, (gint64) TOTAL_TIMEOUT_MS * 1000 + MARGIN_US);
  g_assert_cmpint (message.extend, >=,
                   (gint64) TOTAL_TIMEOUT_MS * 1000 - (after - before) + MARGIN_US);
  g_free (message.status);

  /* A cleanup without deadline: the run's total deadline still bounds the group, and
   * what is left of it is covered. Eight of its ten cleanups are named. */
  low = manager_receive (&manager);
  message = parse (low);
  g_assert_cmpstr (message.status, ==,
                   "Stopping: waiting for worker, m9, m8, m7, m6, m5, m4, m3 and 2 more");
  g_assert_cmpint (message.extend, <=, (gint64) TOTAL_TIMEOUT_MS * 1000 + MARGIN_US);
  g_assert_cmpint (message.extend, >=,
                   (gint64) TOTAL_TIMEOUT_MS * 1000 - (after - before) + MARGIN_US);
  g_free (message.status);

  last = manager_receive (&manager);
  g_assert_cmpstr (last, ==, "STATUS=Stopped: every cleanup succeeded");

  drain (fx->context);
  manager_assert_empty (&manager);
  manager_clear (&manager);
}

/* Without a total deadline, a group with a cleanup that has none cannot be covered:
 * STATUS only, and the manager's own TimeoutStopSec rules; the next group, bounded,
 * is covered again. */
static void
test_no_deadline (Fixture       *fx,
                  gconstpointer  data)
{
  Item forever = { "forever", ACT_SUCCEED_LATER, 0 };
  Item bounded = { "bounded", ACT_SUCCEED_LATER, 0 };
  g_auto(RunResult) res = { 0 };
  g_autofree char *first = NULL;
  g_autofree char *unbounded_group = NULL;
  g_autofree char *bounded_group = NULL;
  g_autofree char *last = NULL;
  Message message;
  Manager manager;

  manager_init (&manager, TRUE);
  g_setenv ("NOTIFY_SOCKET", manager.variable, TRUE);
  atexit_loop_finalizer_set_timeout (fx->finalizer, TIMEOUT_MS);
  g_assert_true (atexit_loop_finalizer_set_cleanup_timeout (fx->finalizer,
                                                            add_item (fx, &forever,
                                                                      G_PRIORITY_DEFAULT),
                                                            0));
  add_sync (fx, "sync", G_PRIORITY_DEFAULT);
  add_item (fx, &bounded, G_PRIORITY_LOW);
  run_and_wait (fx->finalizer, NULL, &res);
  g_unsetenv ("NOTIFY_SOCKET");
  g_assert_no_error (res.error);

  first = manager_receive (&manager);
  g_assert_cmpstr (first, ==, "STOPPING=1");

  unbounded_group = manager_receive (&manager);
  g_assert_cmpstr (unbounded_group, ==, "STATUS=Stopping: waiting for sync, forever");

  bounded_group = manager_receive (&manager);
  message = parse (bounded_group);
  g_assert_cmpstr (message.status, ==, "Stopping: waiting for bounded");
  g_assert_cmpint (message.extend, ==, (gint64) TIMEOUT_MS * 1000 + MARGIN_US);
  g_free (message.status);

  last = manager_receive (&manager);
  g_assert_cmpstr (last, ==, "STATUS=Stopped: every cleanup succeeded");

  drain (fx->context);
  manager_assert_empty (&manager);
  manager_clear (&manager);
}

/* A group whose cleanups all have deadlines of their own, shorter than the finalizer's
 * timeout, ends by the latest of them: that is what the manager is asked for. */
static void
test_own_deadlines_shorter (Fixture       *fx,
                            gconstpointer  data)
{
  Item quick = { "quick", ACT_SUCCEED_LATER, 0 };
  g_auto(RunResult) res = { 0 };
  g_autofree char *first = NULL;
  g_autofree char *group = NULL;
  g_autofree char *last = NULL;
  Message message;
  Manager manager;

  manager_init (&manager, TRUE);
  g_setenv ("NOTIFY_SOCKET", manager.variable, TRUE);
  atexit_loop_finalizer_set_timeout (fx->finalizer, TIMEOUT_MS);
  g_assert_true (atexit_loop_finalizer_set_cleanup_timeout (fx->finalizer,
                                                            add_item (fx, &quick,
                                                                      G_PRIORITY_DEFAULT),
                                                            TIMEOUT_MS / 2));
  run_and_wait (fx->finalizer, NULL, &res);
  g_unsetenv ("NOTIFY_SOCKET");
  g_assert_no_error (res.error);

  first = manager_receive (&manager);
  group = manager_receive (&manager);
  last = manager_receive (&manager);
  drain (fx->context);
  manager_assert_empty (&manager);
  manager_clear (&manager);

  message = parse (group);
  g_assert_cmpstr (message.status, ==, "Stopping: waiting for quick");
  g_free (message.status);
  /* The finalizer's timeout, which no cleanup of this group uses, does not count. */
  g_assert_cmpint (message.extend, ==, (gint64) TIMEOUT_MS / 2 * 1000 + MARGIN_US);
}

/* A run that does not succeed says so last. */
static void
test_failure_told (Fixture       *fx,
                   gconstpointer  data)
{
  Item broken = { "broken", ACT_FAIL, 0 };
  g_auto(RunResult) res = { 0 };
  g_autofree char *first = NULL;
  g_autofree char *group = NULL;
  g_autofree char *last = NULL;
  Manager manager;

  manager_init (&manager, TRUE);
  g_setenv ("NOTIFY_SOCKET", manager.variable, TRUE);
  add_item (fx, &broken, G_PRIORITY_DEFAULT);
  run_and_wait (fx->finalizer, NULL, &res);
  g_unsetenv ("NOTIFY_SOCKET");
  g_assert_error (res.error, ATEXIT_ERROR, ATEXIT_ERROR_FAILED);

  first = manager_receive (&manager);
  g_assert_cmpstr (first, ==, "STOPPING=1");
  group = manager_receive (&manager);
  g_assert_true (g_str_has_suffix (group, "\nSTATUS=Stopping: waiting for broken"));
  last = manager_receive (&manager);
  g_assert_cmpstr (last, ==, "STATUS=Stopped: some cleanups did not succeed");

  drain (fx->context);
  manager_assert_empty (&manager);
  manager_clear (&manager);
}

/* Without $NOTIFY_SOCKET there is nobody to tell: a manager listening all the same
 * receives nothing. */
static void
test_unset_sends_nothing (Fixture       *fx,
                          gconstpointer  data)
{
  Item item = { "quiet", ACT_SUCCEED_LATER, 0 };
  g_auto(RunResult) res = { 0 };
  Manager manager;

  manager_init (&manager, TRUE);
  g_unsetenv ("NOTIFY_SOCKET");
  add_item (fx, &item, G_PRIORITY_DEFAULT);
  add_sync (fx, "sync", G_PRIORITY_LOW);
  run_and_wait (fx->finalizer, NULL, &res);
  g_assert_no_error (res.error);
  g_assert_cmpuint (item.n_started, ==, 1);
  g_assert_true (has_event ("sync"));

  drain (fx->context);
  manager_assert_empty (&manager);
  manager_clear (&manager);
}

/* A run with nothing registered since the last one ended does nothing, and tells
 * nothing either. */
static void
test_noop_run_sends_nothing (Fixture       *fx,
                             gconstpointer  data)
{
  Item item = { "once", ACT_SUCCEED, 0 };
  g_auto(RunResult) first_run = { 0 };
  g_auto(RunResult) second_run = { 0 };
  g_autofree char *stopping = NULL;
  g_autofree char *group = NULL;
  g_autofree char *stopped = NULL;
  Manager manager;

  manager_init (&manager, FALSE);
  g_setenv ("NOTIFY_SOCKET", manager.variable, TRUE);
  add_item (fx, &item, G_PRIORITY_DEFAULT);
  run_and_wait (fx->finalizer, NULL, &first_run);
  g_assert_no_error (first_run.error);

  /* The first run told its three messages. */
  stopping = manager_receive (&manager);
  g_assert_cmpstr (stopping, ==, "STOPPING=1");
  group = manager_receive (&manager);
  g_assert_true (g_str_has_suffix (group, "\nSTATUS=Stopping: waiting for once"));
  stopped = manager_receive (&manager);
  g_assert_cmpstr (stopped, ==, "STATUS=Stopped: every cleanup succeeded");

  /* The second, with $NOTIFY_SOCKET still set, tells nothing. */
  run_and_wait (fx->finalizer, NULL, &second_run);
  g_unsetenv ("NOTIFY_SOCKET");
  g_assert_no_error (second_run.error);
  g_assert_true (second_run.ok);
  g_assert_cmpuint (item.n_started, ==, 1);

  drain (fx->context);
  manager_assert_empty (&manager);
  manager_clear (&manager);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/atexit/sd-notify/run/path/stopping-groups-stopped", Fixture,
              GINT_TO_POINTER (FALSE), fixture_set_up, test_run_tells, fixture_tear_down);
  g_test_add ("/atexit/sd-notify/run/abstract/stopping-groups-stopped", Fixture,
              GINT_TO_POINTER (TRUE), fixture_set_up, test_run_tells, fixture_tear_down);
  ADD_TEST ("/atexit/sd-notify/run/no-deadline/status-only", test_no_deadline);
  ADD_TEST ("/atexit/sd-notify/run/own-deadlines-shorter/latest-of-them",
            test_own_deadlines_shorter);
  ADD_TEST ("/atexit/sd-notify/run/failure/stopped-says-so", test_failure_told);
  ADD_TEST ("/atexit/sd-notify/run/unset/sends-nothing", test_unset_sends_nothing);
  ADD_TEST ("/atexit/sd-notify/run/nothing-registered/sends-nothing",
            test_noop_run_sends_nothing);

  return g_test_run ();
}
