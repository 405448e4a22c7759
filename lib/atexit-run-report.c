/* atexit-run-report.c: what a run tells: its error, ::cleanup-finished, the debug log
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "atexit-run-private.h"
#include "atexit-sd-notify-private.h"

/* At most this many names in the service manager's STATUS=. */
#define ATEXIT_STATUS_NAMES 8
/* Beyond its deadlines, what a group is given to end before the service manager may
 * kill the service: the time to report and go on. */
#define ATEXIT_EXTEND_MARGIN_US (2 * G_USEC_PER_SEC)

void
atexit_run_report_begin (AtexitRun *run)
{
  run->debug = !g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN);
  /* Handlers connected once the run has started see the cleanups that end from then on
   * only if they fail: succeeding ones are not worth a name each when nobody listens. */
  run->reporting = atexit_loop_finalizer_has_finished_handlers (run->self);

  if (G_UNLIKELY (run->debug))
    g_debug ("Run started (timeout %u ms, total timeout %u ms)",
             atexit_loop_finalizer_get_timeout (run->self), run->total_timeout_ms);

  /* A service under systemd says it is stopping, so that its manager knows the
   * shutdown is under way. */
  run->notify = atexit_sd_notify_new_from_environment ();
  if (run->notify != NULL)
    atexit_sd_notify_send (run->notify, "STOPPING=1");
}

/* With the mutex held, only where the service manager listens: what STATUS= says of
 * the group about to start, and its latest deadline. A group with a cleanup without
 * deadline has none (G_MAXUINT). */
char *
atexit_run_report_describe_group_locked (AtexitRun    *run,
                                         AtexitBucket *group,
                                         guint        *max_timeout_ms)
{
  g_autoptr(GString) status = g_string_new ("STATUS=Stopping: waiting for ");
  guint shown = 0;

  *max_timeout_ms = 0;

  /* Last registered first, the order they start in. */
  for (AtexitCleanup *cleanup = group->list.tail; cleanup != NULL; cleanup = cleanup->prev)
    {
      guint timeout = cleanup->has_timeout ? cleanup->timeout_ms : run->group_timeout_ms;

      if (timeout == 0)
        *max_timeout_ms = G_MAXUINT;
      else if (*max_timeout_ms != G_MAXUINT)
        *max_timeout_ms = MAX (*max_timeout_ms, timeout);

      if (shown < ATEXIT_STATUS_NAMES)
        {
          g_autofree char *name = atexit_cleanup_dup_name (cleanup);

          /* One line per variable: a name must not start another. */
          g_strdelimit (name, "\n\r", ' ');
          g_string_append_printf (status, "%s%s", shown > 0 ? ", " : "", name);
          shown++;
        }
    }
  if (group->list.length > shown)
    g_string_append_printf (status, " and %u more", group->list.length - shown);

  return g_string_free (g_steal_pointer (&status), FALSE);
}

void
atexit_run_report_group (AtexitRun  *run,
                         guint       n_cleanups,
                         char       *status,
                         guint       max_timeout_ms)
{
  if (G_UNLIKELY (run->debug))
    g_debug ("Starting the group of priority %d: %u cleanup(s), deadline %u ms",
             run->group_priority, n_cleanups, run->group_timeout_ms);

  if (run->notify != NULL)
    {
      gint64 extend = max_timeout_ms != G_MAXUINT ? (gint64) max_timeout_ms * 1000 : G_MAXINT64;
      g_autofree char *message = NULL;

      /* Never past the run's total deadline, which ends it whatever the group does. */
      if (run->total_deadline != G_MAXINT64)
        extend = MIN (extend, MAX (0, run->total_deadline - g_get_monotonic_time ()));

      /* A group without deadline cannot be covered: the manager's TimeoutStopSec rules. */
      if (extend != G_MAXINT64)
        message = g_strdup_printf ("EXTEND_TIMEOUT_USEC=%" G_GINT64_FORMAT "\n%s",
                                   extend + ATEXIT_EXTEND_MARGIN_US, status);
      else
        message = g_strdup (status);
      atexit_sd_notify_send (run->notify, message);
    }
  g_free (status);
}

static AtexitReport *
atexit_report_new (AtexitCleanup *cleanup,
                   char          *name,
                   gint64         now,
                   GError        *error)
{
  AtexitReport *report = g_new0 (AtexitReport, 1);

  report->id = cleanup->id;
  report->name = name;
  report->priority = cleanup->priority;
  report->duration_us = cleanup->started_at != 0 ? now - cleanup->started_at : 0;
  report->error = error;

  return report;
}

/* @n_cleanups: how many cleanups @message names. */
static void
atexit_run_add_problem (AtexitRun *run,
                        char      *message,
                        gboolean   timed_out,
                        guint      n_cleanups)
{
  g_ptr_array_add (run->problems, message);
  run->n_failed += n_cleanups;
  if (timed_out)
    run->n_timed_out += n_cleanups;
}

AtexitReport *
atexit_run_report_new (AtexitRun     *run,
                       AtexitCleanup *cleanup,
                       GError        *error)
{
  char *name;

  if (error == NULL && !run->reporting && !run->debug)
    return NULL;

  name = atexit_cleanup_dup_name (cleanup);
  if (error != NULL)
    {
      /* Cancellation is the run's own error, not the cleanup's. */
      if (!run->cancelled)
        atexit_run_add_problem (run,
                                g_error_matches (error, ATEXIT_ERROR, ATEXIT_ERROR_DROPPED)
                                  ? g_strdup (error->message)
                                  : g_strdup_printf (_("Cleanup “%s” failed: %s"),
                                                     name, error->message),
                                FALSE, 1);
      error = g_error_copy (error);
    }

  return atexit_report_new (cleanup, name, g_get_monotonic_time (), error);
}

AtexitReport *
atexit_run_report_dropped (AtexitRun     *run,
                           AtexitCleanup *cleanup)
{
  g_autofree char *name = atexit_cleanup_dup_name (cleanup);
  g_autoptr(GError) error = NULL;

  error = g_error_new (ATEXIT_ERROR, ATEXIT_ERROR_DROPPED,
                       _("Cleanup “%s” released its task without returning it"), name);

  return atexit_run_report_new (run, cleanup, error);
}

AtexitReport *
atexit_run_report_straggler (AtexitRun     *run,
                             AtexitCleanup *cleanup,
                             gint64         now,
                             gboolean       total)
{
  char *name = atexit_cleanup_dup_name (cleanup);
  double ran_ms = (now - cleanup->started_at) / 1000.;
  GError *error;

  if (total)
    error = g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                         _("Cleanup “%s” did not finish before the run’s total deadline of "
                           "%u ms (it ran for %.1f ms)"),
                         name, run->total_timeout_ms, ran_ms);
  else
    error = g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                         _("Cleanup “%s” did not finish within its deadline of %u ms "
                           "(it ran for %.1f ms)"),
                         name,
                         cleanup->own_deadline ? cleanup->timeout_ms : run->group_timeout_ms,
                         ran_ms);
  atexit_run_add_problem (run, g_strdup (error->message), TRUE, 1);

  return atexit_report_new (cleanup, name, now, error);
}

void
atexit_run_report_emit (AtexitRun    *run,
                        AtexitReport *report)
{
  if (report == NULL)
    return;

  if (G_UNLIKELY (run->debug))
    {
      if (report->error == NULL)
        g_debug ("“%s” (priority %d) finished in %.3f ms",
                 report->name, report->priority, report->duration_us / 1000.);
      else
        g_debug ("“%s” (priority %d) ended after %.3f ms: %s",
                 report->name, report->priority, report->duration_us / 1000.,
                 report->error->message);
    }

  if (run->reporting || report->error != NULL)
    atexit_loop_finalizer_emit_cleanup_finished (run->self, report->id, report->name,
                                                 report->priority, report->duration_us,
                                                 report->error);

  g_clear_error (&report->error);
  g_free (report->name);
  g_free (report);
}

void
atexit_run_report_skipped (AtexitRun         *run,
                           AtexitCleanupList *skipped)
{
  g_autoptr(GString) names = NULL;

  if (skipped->length == 0 || !run->expired)
    {
      if (skipped->length > 0 && G_UNLIKELY (run->debug))
        g_debug ("The run was cancelled; %u cleanup(s) skipped", skipped->length);
      return;
    }

  names = g_string_new (NULL);
  for (AtexitCleanup *cleanup = skipped->head; cleanup != NULL; cleanup = cleanup->next)
    {
      g_autofree char *name = atexit_cleanup_dup_name (cleanup);

      g_string_append_printf (names, "%s“%s”", names->len > 0 ? ", " : "", name);
    }

  atexit_run_add_problem (run,
                          g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                        "%u cleanup was not started, as the "
                                                        "run’s total deadline of %u ms had "
                                                        "passed: %s",
                                                        "%u cleanups were not started, as the "
                                                        "run’s total deadline of %u ms had "
                                                        "passed: %s",
                                                        skipped->length),
                                           skipped->length, run->total_timeout_ms, names->str),
                          TRUE, skipped->length);
}

GError *
atexit_run_report_build_error (AtexitRun *run)
{
  g_autoptr(GString) details = NULL;
  guint n = run->problems->len;

  if (n == 0 && !run->cancelled)
    return NULL;

  details = g_string_new (NULL);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (details, "%s%s", i > 0 ? "; " : "",
                            (const char *) g_ptr_array_index (run->problems, i));

  if (run->cancelled)
    {
      if (n == 0)
        return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The run was cancelled"));
      return g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                          _("The run was cancelled; before that: %s"), details->str);
    }

  return g_error_new (ATEXIT_ERROR,
                      run->n_timed_out == run->n_failed ? ATEXIT_ERROR_TIMED_OUT
                                                        : ATEXIT_ERROR_FAILED,
                      g_dngettext (GETTEXT_PACKAGE,
                                   "%u cleanup did not succeed: %s",
                                   "%u cleanups did not succeed: %s", run->n_failed),
                      run->n_failed, details->str);
}

void
atexit_run_report_end (AtexitRun    *run,
                       const GError *error)
{
  if (G_UNLIKELY (run->debug))
    g_debug ("The run ended after %.3f ms: %s",
             (g_get_monotonic_time () - run->started_at) / 1000.,
             error != NULL ? error->message : "every cleanup succeeded");

  if (run->notify != NULL)
    {
      atexit_sd_notify_send (run->notify, error == NULL
                                            ? "STATUS=Stopped: every cleanup succeeded"
                                            : "STATUS=Stopped: some cleanups did not succeed");
      g_clear_pointer (&run->notify, atexit_sd_notify_free);
    }
}
