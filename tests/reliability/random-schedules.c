/* random-schedules.c: seeded random mixes of registrations, removals, runs,
 * cancellations and context deaths, each checked against the design's invariants
 *
 * Replay one schedule with: random-schedules --seed N
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reliability-common.h"

typedef enum {
  B_SYNC,           /* a plain synchronous cleanup */
  B_SYNC_ADD,       /* synchronous; adds another cleanup during the run */
  B_SYNC_REMOVE,    /* synchronous; removes another cleanup during the run */
  B_SYNC_CANCEL,    /* synchronous; cancels the run */
  B_SYNC_NESTED,    /* synchronous; iterates the context from inside the run */
  B_OK_NOW,         /* returns TRUE at once */
  B_OK_IDLE,        /* returns TRUE from an idle of the context */
  B_FAIL,           /* returns an error */
  B_FALSE,          /* returns FALSE */
  B_HANG,           /* returns only once its cancellable is cancelled */
  B_DROP,           /* releases its task without returning it */
  B_THREAD_OK,      /* returns TRUE from another thread */
  B_THREAD_FAIL,    /* returns an error from another thread */
  B_NESTED_OK,      /* iterates the context, then returns TRUE */
  B_ASYNC_ADD,      /* adds another cleanup, then returns TRUE */
  N_BEHAVIOURS
} Behaviour;

static const char *behaviour_names[N_BEHAVIOURS] = {
  "sync", "sync-add", "sync-remove", "sync-cancel", "sync-nested", "ok-now", "ok-idle",
  "fail", "false", "hang", "drop", "thread-ok", "thread-fail", "nested-ok", "async-add",
};

static const int priorities[] = { G_PRIORITY_HIGH, -10, G_PRIORITY_DEFAULT, 10, G_PRIORITY_LOW };

typedef struct _Schedule Schedule;

typedef struct {
  Schedule  *s;
  guint      index;
  Behaviour  b;
  int        priority;
  guint      id;
  guint      epoch;      /* the run it is meant for */
  int        ran;        /* atomic */
  int        destroyed;  /* atomic */
  gboolean   removed;    /* remove() returned TRUE */
  gboolean   started_async;
  int        target;     /* B_SYNC_REMOVE: index of the cleanup it removes, or -1 */
  gboolean   target_removed;
  GError    *finished_error;  /* from ::cleanup-finished */
  gboolean   finished;
  gboolean   deadline_passed; /* its group's cancellable was cancelled before it returned */
  char       name[16];
  char       quoted[24];
} Rec;

struct _Schedule {
  guint32              seed;
  GRand               *rand;
  GMainContext        *context;
  AtexitLoopFinalizer *finalizer;
  GPtrArray           *recs;
  guint                timeout_ms;
  guint                epoch;
  GCancellable        *cancellable;
  gboolean             cancel_requested;
  int                  live_tasks;  /* atomic */
  GPtrArray           *threads;     /* joined at the end of the schedule */
  guint                max_adds;
};

static guint32 current_seed;
static char    crash_note[128];
static guint   n_checks;
static guint   n_tolerated_late;
static gboolean trace;
static guint   n_by_behaviour[N_BEHAVIOURS];
static guint   n_runs_total, n_runs_cancelled, n_runs_joined, n_removed_before, n_deaths_pending;

#define CHECK(cond, ...) G_STMT_START {                                          \
    n_checks++;                                                                  \
    if (G_UNLIKELY (!(cond)))                                                    \
      {                                                                          \
        g_printerr ("FAILED %s:%d: %s\n  ", __FILE__, __LINE__, #cond);          \
        g_printerr (__VA_ARGS__);                                                \
        g_printerr ("\n  seed %u; replay with: random-schedules --seed %u\n",    \
                    current_seed, current_seed);                                 \
        abort ();                                                                \
      }                                                                          \
  } G_STMT_END

static void
crash_handler (int signum)
{
  ssize_t unused = write (STDERR_FILENO, crash_note, strlen (crash_note));

  (void) unused;
  signal (signum, SIG_DFL);
  raise (signum);
}

static void
rec_destroy (gpointer data)
{
  Rec *rec = data;

  CHECK (g_atomic_int_add (&rec->destroyed, 1) == 0,
         "destroy notify of %s (%s) called twice", rec->name, behaviour_names[rec->b]);
}

static Rec *add_rec (Schedule *s, Behaviour b, int priority);

static Behaviour
pick_behaviour (Schedule *s)
{
  /* Hanging costs a deadline each: keep them rarer than the rest. */
  Behaviour b = g_rand_int_range (s->rand, 0, N_BEHAVIOURS);

  if (b == B_HANG && g_rand_int_range (s->rand, 0, 3) != 0)
    b = B_OK_NOW;
  if ((b == B_SYNC_ADD || b == B_ASYNC_ADD) && s->max_adds == 0)
    b = B_SYNC;
  return b;
}

static int
pick_priority (Schedule *s)
{
  return priorities[g_rand_int_range (s->rand, 0, G_N_ELEMENTS (priorities))];
}

static void
sync_cb (gpointer data)
{
  Rec *rec = data;
  Schedule *s = rec->s;

  CHECK (g_atomic_int_add (&rec->ran, 1) == 0, "%s ran twice", rec->name);
  CHECK (rec->epoch == s->epoch, "%s ran in run %u, meant for run %u",
         rec->name, s->epoch, rec->epoch);

  switch (rec->b)
    {
    case B_SYNC_ADD:
      s->max_adds--;
      add_rec (s, B_SYNC, pick_priority (s));
      break;

    case B_SYNC_REMOVE:
      if (rec->target >= 0)
        {
          Rec *target = g_ptr_array_index (s->recs, rec->target);

          if (target->epoch == s->epoch && !target->removed)
            {
              rec->target_removed = atexit_loop_finalizer_remove (s->finalizer, target->id);
              target->removed = rec->target_removed;
              /* FALSE means it has started (its group is under way) or is gone: the
               * end-of-run checks see that it ran. */
              if (rec->target_removed)
                CHECK (g_atomic_int_get (&target->ran) == 0 &&
                       g_atomic_int_get (&target->destroyed) == 1,
                       "%s removed %s but it ran or was not destroyed", rec->name, target->name);
            }
        }
      break;

    case B_SYNC_CANCEL:
      if (s->cancellable != NULL)
        {
          s->cancel_requested = TRUE;
          g_cancellable_cancel (s->cancellable);
        }
      break;

    case B_SYNC_NESTED:
      for (guint i = 0; i < 3; i++)
        g_main_context_iteration (s->context, FALSE);
      break;

    default:
      break;
    }
}

static void
task_return (GTask *task,
             Rec   *rec,
             gboolean ok)
{
  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    rec->deadline_passed = TRUE;
  if (ok)
    g_task_return_boolean (task, TRUE);
  else if (rec->b == B_FALSE)
    g_task_return_boolean (task, FALSE);
  else
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                             "injected failure %u", rec->index);
  /* Released before it is counted out, so that the drain after the run sees it. */
  g_object_unref (task);
  g_atomic_int_add (&rec->s->live_tasks, -1);
  g_main_context_wakeup (rec->s->context);
}

static gboolean
idle_ok_cb (gpointer data)
{
  GTask *task = data;

  task_return (task, g_task_get_task_data (task), TRUE);
  return G_SOURCE_REMOVE;
}

static gboolean
hang_cancelled_cb (GCancellable *cancellable,
                   gpointer      data)
{
  GTask *task = data;
  Rec *rec = g_task_get_task_data (task);

  /* Late: the run has already moved on, and must ignore this. */
  rec->deadline_passed = TRUE;
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "gave up");
  g_atomic_int_add (&rec->s->live_tasks, -1);
  return G_SOURCE_REMOVE;
}

static gpointer
thread_cb (gpointer data)
{
  GTask *task = data;
  Rec *rec = g_task_get_task_data (task);

  task_return (task, rec, rec->b == B_THREAD_OK);
  return NULL;
}

static void
async_cb (AtexitLoopFinalizer *finalizer,
          GTask               *task,
          gpointer             data)
{
  Rec *rec = data;
  Schedule *s = rec->s;

  CHECK (finalizer == s->finalizer, "wrong finalizer");
  CHECK (G_IS_TASK (task), "not a task");
  CHECK (g_atomic_int_add (&rec->ran, 1) == 0, "%s ran twice", rec->name);
  CHECK (rec->epoch == s->epoch, "%s ran in run %u, meant for run %u",
         rec->name, s->epoch, rec->epoch);
  rec->started_async = TRUE;
  g_atomic_int_add (&s->live_tasks, 1);
  g_task_set_task_data (task, rec, NULL);

  switch (rec->b)
    {
    case B_OK_NOW:
      task_return (task, rec, TRUE);
      break;

    case B_OK_IDLE:
      {
        GSource *source = g_idle_source_new ();

        g_source_set_callback (source, idle_ok_cb, task, NULL);
        g_source_attach (source, s->context);
        g_source_unref (source);
      }
      break;

    case B_FAIL:
    case B_FALSE:
      task_return (task, rec, FALSE);
      break;

    case B_HANG:
      {
        GSource *source = g_cancellable_source_new (g_task_get_cancellable (task));

        g_source_set_callback (source, G_SOURCE_FUNC (hang_cancelled_cb), task, g_object_unref);
        g_source_attach (source, s->context);
        g_source_unref (source);
      }
      break;

    case B_DROP:
      g_object_unref (task);
      g_atomic_int_add (&s->live_tasks, -1);
      break;

    case B_THREAD_OK:
    case B_THREAD_FAIL:
      g_ptr_array_add (s->threads, g_thread_new ("cleanup", thread_cb, task));
      break;

    case B_NESTED_OK:
      for (guint i = 0; i < 3; i++)
        g_main_context_iteration (s->context, FALSE);
      task_return (task, rec, TRUE);
      break;

    case B_ASYNC_ADD:
      s->max_adds--;
      add_rec (s, g_rand_boolean (s->rand) ? B_OK_NOW : B_SYNC, pick_priority (s));
      task_return (task, rec, TRUE);
      break;

    default:
      g_assert_not_reached ();
    }
}

static gboolean
is_sync (Behaviour b)
{
  return b <= B_SYNC_NESTED;
}

static Rec *
add_rec (Schedule *s,
         Behaviour b,
         int       priority)
{
  Rec *rec = g_new0 (Rec, 1);

  rec->s = s;
  rec->index = s->recs->len;
  rec->b = b;
  rec->priority = priority;
  rec->epoch = s->epoch;
  rec->target = -1;
  g_snprintf (rec->name, sizeof rec->name, "c%u", rec->index);
  g_snprintf (rec->quoted, sizeof rec->quoted, "“c%u”", rec->index);
  g_ptr_array_add (s->recs, rec);
  n_by_behaviour[b]++;

  if (b == B_SYNC_REMOVE && rec->index > 0)
    rec->target = g_rand_int_range (s->rand, 0, rec->index);
  if (trace)
    g_printerr ("# run %u: add %s, %s, priority %d\n",
                s->epoch, rec->name, behaviour_names[b], priority);

  if (is_sync (b))
    rec->id = atexit_loop_finalizer_add_full (s->finalizer, rec->name, priority,
                                                   sync_cb, rec, rec_destroy);
  else
    rec->id = atexit_loop_finalizer_add_async_full (s->finalizer, rec->name, priority,
                                              async_cb, rec, rec_destroy);
  CHECK (rec->id != 0, "add returned 0");

  return rec;
}

static void
cleanup_finished_cb (AtexitLoopFinalizer *finalizer,
                     guint                id,
                     const char          *name,
                     int                  priority,
                     gint64               duration_us,
                     const GError        *error,
                     gpointer             data)
{
  Schedule *s = data;
  guint index;
  Rec *rec;

  CHECK (name[0] == 'c', "unexpected name %s", name);
  index = (guint) g_ascii_strtoull (name + 1, NULL, 10);
  CHECK (index < s->recs->len, "unknown cleanup %s", name);
  rec = g_ptr_array_index (s->recs, index);
  CHECK (!rec->finished, "%s reported finished twice", name);
  CHECK (priority == rec->priority, "%s reported with priority %d, not %d",
         name, priority, rec->priority);
  CHECK (duration_us >= 0, "negative duration");
  rec->finished = TRUE;
  rec->finished_error = error != NULL ? g_error_copy (error) : NULL;
}

typedef struct {
  gboolean done;
  GError  *error;
} RunResult;

static void
run_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      data)
{
  RunResult *r = data;

  r->done = TRUE;
  atexit_loop_finalizer_run_finish (ATEXIT_LOOP_FINALIZER (object), result, &r->error);
}

static gboolean
tick_cb (gpointer data)
{
  guint *ticks = data;

  (*ticks)++;
  return G_SOURCE_CONTINUE;
}

static gboolean
cancel_cb (gpointer data)
{
  Schedule *s = data;

  s->cancel_requested = TRUE;
  g_cancellable_cancel (s->cancellable);
  return G_SOURCE_REMOVE;
}

static gboolean
is_problem (const GError *error)
{
  return error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* One run of the schedule, and every check that can be made about it. */
static void
run_once (Schedule *s)
{
  RunResult r1 = { FALSE, NULL }, r2 = { FALSE, NULL };
  gboolean twice = g_rand_int_range (s->rand, 0, 4) == 0;
  gboolean with_cancellable = g_rand_boolean (s->rand);
  GSource *ticker, *canceller = NULL;
  guint ticks = 0, n_groups = 0;
  gboolean seen[G_N_ELEMENTS (priorities)] = { FALSE, };
  gboolean joined;
  guint n_problems = 0;

  rel_log_reset ();
  s->cancel_requested = FALSE;
  s->cancellable = with_cancellable ? g_cancellable_new () : NULL;

  /* The run must end within its deadlines: a ticker with the deadline's period counts
   * how many deadlines could have passed; there are at most one per group. */
  ticker = g_timeout_source_new (s->timeout_ms);
  g_source_set_callback (ticker, tick_cb, &ticks, NULL);
  g_source_attach (ticker, s->context);

  if (with_cancellable && g_rand_int_range (s->rand, 0, 3) == 0)
    {
      canceller = g_timeout_source_new (g_rand_int_range (s->rand, 0, 2 * s->timeout_ms));
      g_source_set_callback (canceller, cancel_cb, s, NULL);
      g_source_attach (canceller, s->context);
    }

  /* The callbacks come in the caller's thread-default context. */
  g_main_context_push_thread_default (s->context);
  atexit_loop_finalizer_run_async (s->finalizer, s->cancellable, run_done_cb, &r1);
  /* Where the run is still in progress, a second caller joins it; else it is a new,
   * empty run. */
  joined = atexit_loop_finalizer_get_running (s->finalizer);
  if (twice)
    atexit_loop_finalizer_run_async (s->finalizer, NULL, run_done_cb, &r2);
  while (!r1.done || (twice && !r2.done))
    g_main_context_iteration (s->context, TRUE);
  g_main_context_pop_thread_default (s->context);
  CHECK (!atexit_loop_finalizer_get_running (s->finalizer), "still running after the run ended");

  g_source_destroy (ticker);
  g_source_unref (ticker);
  if (canceller != NULL)
    {
      g_source_destroy (canceller);
      g_source_unref (canceller);
    }

  /* Every priority a cleanup of this run had is at most one group. */
  for (guint i = 0; i < s->recs->len; i++)
    {
      Rec *rec = g_ptr_array_index (s->recs, i);

      for (guint p = 0; p < G_N_ELEMENTS (priorities); p++)
        if (rec->epoch == s->epoch && rec->priority == priorities[p] && !seen[p])
          {
            seen[p] = TRUE;
            n_groups++;
          }
    }
  CHECK (ticks <= 2 * n_groups + 2,
         "the run outlived its deadlines: %u ticks of %u ms for %u groups",
         ticks, s->timeout_ms, n_groups);

  if (twice && !joined)
    CHECK (r2.error == NULL, "an empty run failed: %s", r2.error->message);
  else if (twice)
    {
      CHECK ((r1.error == NULL) == (r2.error == NULL), "the joined run got another result");
      if (r1.error != NULL && !s->cancel_requested)
        CHECK (g_error_matches (r2.error, r1.error->domain, r1.error->code) &&
               g_str_equal (r1.error->message, r2.error->message),
               "the joined run got another error: %s / %s", r1.error->message, r2.error->message);
    }

  /* Let the stragglers and the threads release their tasks. */
  while (g_atomic_int_get (&s->live_tasks) > 0)
    g_main_context_iteration (s->context, TRUE);
  while (g_main_context_iteration (s->context, FALSE))
    ;

  for (guint i = 0; i < s->recs->len; i++)
    {
      Rec *rec = g_ptr_array_index (s->recs, i);
      gboolean in_error, problem;
      guint warnings;

      if (rec->epoch != s->epoch)
        continue;

      problem = rec->finished && is_problem (rec->finished_error);
      n_problems += problem;
      in_error = r1.error != NULL && strstr (r1.error->message, rec->quoted) != NULL;
      warnings = rel_log_count_naming (rec->quoted);

      /* Exactly once, whatever happened. */
      CHECK (g_atomic_int_get (&rec->destroyed) == 1,
             "%s (%s): destroy notify called %d times", rec->name, behaviour_names[rec->b],
             g_atomic_int_get (&rec->destroyed));
      CHECK (g_atomic_int_get (&rec->ran) <= 1, "%s ran more than once", rec->name);
      if (rec->removed)
        CHECK (g_atomic_int_get (&rec->ran) == 0, "%s removed but ran", rec->name);
      else if (!s->cancel_requested)
        CHECK (g_atomic_int_get (&rec->ran) == 1, "%s (%s) never ran",
               rec->name, behaviour_names[rec->b]);

      /* Exactly the failed, timed out and dropped ones are named in the error, which is
       * the caller's: none is logged. */
      CHECK (in_error == problem, "%s (%s): %s the error, reported %s: %s", rec->name,
             behaviour_names[rec->b], in_error ? "in" : "not in",
             rec->finished_error ? rec->finished_error->message : "success",
             r1.error ? r1.error->message : "(no error)");
      CHECK (warnings == 0, "%s: %u warnings naming it:\n%s", rec->name, warnings,
             rel_log_join ());

      if (g_atomic_int_get (&rec->ran) == 1 && !s->cancel_requested)
        {
          CHECK (rec->finished, "%s ran but was never reported finished", rec->name);
          switch (rec->b)
            {
            case B_FAIL:
            case B_FALSE:
            case B_THREAD_FAIL:
              CHECK (problem, "%s failed but the run did not say so", rec->name);
              break;

            case B_DROP:
              CHECK (g_error_matches (rec->finished_error, ATEXIT_ERROR, ATEXIT_ERROR_DROPPED),
                     "%s dropped its task but was reported: %s", rec->name,
                     rec->finished_error ? rec->finished_error->message : "success");
              break;

            case B_HANG:
              CHECK (g_error_matches (rec->finished_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT),
                     "%s hung but was reported: %s", rec->name,
                     rec->finished_error ? rec->finished_error->message : "success");
              break;

            default:
              if (is_sync (rec->b))
                /* On a slow machine (under valgrind) a sync cleanup can return past its
                 * group's deadline: then it is late, never failed. */
                CHECK (rec->finished_error == NULL ||
                       g_error_matches (rec->finished_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT),
                       "sync %s reported a problem: %s", rec->name,
                       rec->finished_error ? rec->finished_error->message : "");
              else if (problem)
                {
                  /* A prompt cleanup can still miss a deadline on a slow machine (under
                   * valgrind): its task's result is dispatched from an idle of the
                   * context, after the group's deadline if that has passed meanwhile.
                   * Then it is late, never failed or dropped. */
                  CHECK (g_error_matches (rec->finished_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT),
                         "%s (%s) succeeded but was reported: %s", rec->name,
                         behaviour_names[rec->b], rec->finished_error->message);
                  n_tolerated_late++;
                }
            }
        }
    }

  if (s->cancel_requested)
    CHECK (g_error_matches (r1.error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || r1.error == NULL ||
           n_problems > 0,
           "cancelled run ended with %s", r1.error ? r1.error->message : "success");
  else if (n_problems == 0)
    CHECK (r1.error == NULL, "no problem but the run failed: %s", r1.error->message);
  else
    CHECK (r1.error != NULL && r1.error->domain == ATEXIT_ERROR &&
           (r1.error->code == ATEXIT_ERROR_FAILED || r1.error->code == ATEXIT_ERROR_TIMED_OUT),
           "the run should have failed");

  n_runs_total++;
  n_runs_cancelled += s->cancel_requested;
  n_runs_joined += twice && joined;
  g_clear_error (&r1.error);
  g_clear_error (&r2.error);
  g_clear_object (&s->cancellable);
}

static void
rec_free (gpointer data)
{
  Rec *rec = data;

  g_clear_error (&rec->finished_error);
  g_free (rec);
}

static void
run_seed (guint32 seed)
{
  Schedule s = { 0, };
  guint n_runs;
  gboolean die_with_pending;

  current_seed = seed;
  g_snprintf (crash_note, sizeof crash_note,
              "\ncrashed at seed %u; replay with: random-schedules --seed %u\n", seed, seed);

  s.seed = seed;
  s.rand = g_rand_new_with_seed (seed);
  s.context = g_main_context_new ();
  s.finalizer = atexit_loop_finalizer_get_for_context (s.context);
  s.recs = g_ptr_array_new_with_free_func (rec_free);
  s.threads = g_ptr_array_new ();
  s.timeout_ms = 4 + g_rand_int_range (s.rand, 0, 3) * 4;
  s.max_adds = 4;
  atexit_loop_finalizer_set_timeout (s.finalizer, s.timeout_ms);
  g_signal_connect (s.finalizer, "cleanup-finished", G_CALLBACK (cleanup_finished_cb), &s);

  n_runs = 1 + (g_rand_int_range (s.rand, 0, 4) == 0);
  for (guint run = 0; run < n_runs; run++)
    {
      guint n_cleanups = g_rand_int_range (s.rand, 0, 10);
      guint first = s.recs->len;

      s.epoch = run;
      for (guint i = 0; i < n_cleanups; i++)
        add_rec (&s, pick_behaviour (&s), pick_priority (&s));

      /* Removed before the run: never runs, destroyed at once. */
      for (guint i = first; i < s.recs->len; i++)
        if (g_rand_int_range (s.rand, 0, 6) == 0)
          {
            Rec *rec = g_ptr_array_index (s.recs, i);

            if (rec->removed)
              continue;
            rec->removed = atexit_loop_finalizer_remove (s.finalizer, rec->id);
            n_removed_before++;
            CHECK (rec->removed, "removing %s before the run failed", rec->name);
            CHECK (g_atomic_int_get (&rec->destroyed) == 1, "%s removed, not destroyed", rec->name);
          }

      CHECK (atexit_loop_finalizer_get_pending (s.finalizer) <= s.recs->len - first,
             "pending count too high");
      run_once (&s);
      CHECK (atexit_loop_finalizer_get_pending (s.finalizer) == 0, "cleanups left after a run");
    }

  /* The context dies: what is still registered is dropped with one warning. */
  die_with_pending = g_rand_boolean (s.rand);
  rel_log_reset ();
  s.epoch = G_MAXUINT;
  if (die_with_pending)
    for (guint i = 0, n = 1 + g_rand_int_range (s.rand, 0, 4); i < n; i++)
      add_rec (&s, g_rand_boolean (s.rand) ? B_SYNC : B_OK_NOW, pick_priority (&s));

  g_main_context_unref (s.context);

  for (guint i = 0; i < s.recs->len; i++)
    {
      Rec *rec = g_ptr_array_index (s.recs, i);

      CHECK (g_atomic_int_get (&rec->destroyed) == 1,
             "%s: destroy notify called %d times after the context died",
             rec->name, g_atomic_int_get (&rec->destroyed));
      if (rec->epoch == G_MAXUINT)
        CHECK (g_atomic_int_get (&rec->ran) == 0 && rel_log_count_naming (rec->quoted) == 1,
               "%s ran, or was not named, when its context died", rec->name);
    }
  n_deaths_pending += die_with_pending;
  if (die_with_pending)
    CHECK (rel_log_warnings->len == 1, "%u warnings when the context died", rel_log_warnings->len);
  else
    CHECK (rel_log_warnings->len == 0, "a warning when the context died with nothing pending");

  for (guint i = 0; i < s.threads->len; i++)
    g_thread_join (g_ptr_array_index (s.threads, i));
  g_ptr_array_unref (s.threads);
  g_ptr_array_unref (s.recs);
  g_rand_free (s.rand);
}

static guint32 opt_seed;
static gboolean opt_have_seed;
static guint opt_seeds = 10000;
static guint32 opt_first = 1;

static void
test_random_schedules (void)
{
  gint64 start = g_get_monotonic_time ();

  if (opt_have_seed)
    {
      run_seed (opt_seed);
      g_test_message ("seed %u passed (%u checks)", opt_seed, n_checks);
      return;
    }

  for (guint i = 0; i < opt_seeds; i++)
    run_seed (opt_first + i);

  {
    g_autoptr(GString) mix = g_string_new (NULL);

    for (guint b = 0; b < N_BEHAVIOURS; b++)
      g_string_append_printf (mix, "%s%s %u", b > 0 ? ", " : "",
                              behaviour_names[b], n_by_behaviour[b]);
    g_test_message ("cleanups: %s; removed before their run: %u; runs: %u, of which %u cancelled "
                    "and %u joined by a second caller; "
                    "contexts that died with cleanups pending: %u",
                    mix->str, n_removed_before, n_runs_total, n_runs_cancelled, n_runs_joined,
                    n_deaths_pending);
  }
  g_test_message ("%u seeds (%u to %u) passed: %u checks, %u prompt cleanups late on a "
                  "loaded machine, %.1f s",
                  opt_seeds, opt_first, opt_first + opt_seeds - 1, n_checks, n_tolerated_late,
                  (g_get_monotonic_time () - start) / 1e6);
}

int
main (int    argc,
      char **argv)
{
  const char *env_seeds = g_getenv ("ATEXIT_RANDOM_SEEDS");
  int j = 1;

  trace = g_getenv ("ATEXIT_RANDOM_TRACE") != NULL;
  if (env_seeds != NULL)
    opt_seeds = (guint) g_ascii_strtoull (env_seeds, NULL, 10);

  /* Our own options first; g_test_init() gets the rest. */
  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--seed") && i + 1 < argc)
        {
          opt_seed = (guint32) g_ascii_strtoull (argv[++i], NULL, 10);
          opt_have_seed = TRUE;
        }
      else if (g_str_equal (argv[i], "--seeds") && i + 1 < argc)
        opt_seeds = (guint) g_ascii_strtoull (argv[++i], NULL, 10);
      else if (g_str_equal (argv[i], "--first") && i + 1 < argc)
        opt_first = (guint32) g_ascii_strtoull (argv[++i], NULL, 10);
      else
        argv[j++] = argv[i];
    }
  argc = j;
  argv[argc] = NULL;

  g_test_init (&argc, &argv, NULL);
  rel_log_init ();
  signal (SIGABRT, crash_handler);
  signal (SIGSEGV, crash_handler);

  g_test_add_func ("/atexit/reliability/random-schedules", test_random_schedules);

  return g_test_run ();
}
