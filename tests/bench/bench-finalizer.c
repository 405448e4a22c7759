/* bench-finalizer.c: what registering, removing and running cleanups cost,
 * measured against the bare GLib code a program would write without the library
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The output is described in bench-common.h. Usage:
 *
 *   bench-finalizer [--quick] [--reps N] [--only NAME]
 *     --quick   small sizes and one round: a smoke test of the program itself
 */

#include "config.h"

#include <string.h>

#ifdef HAVE_MALLINFO2
# include <malloc.h>
#endif

#include <atexit-glib.h>

#include "bench-common.h"

/* Each library figure comes from a fresh context, so that its finalizer starts empty. */
static GMainContext *
bench_context_new (AtexitLoopFinalizer **finalizer)
{
  GMainContext *context = g_main_context_new ();

  *finalizer = atexit_loop_finalizer_get_for_context (context);
  /* No deadline: a benchmark measures work, not timers. */
  atexit_loop_finalizer_set_timeout (*finalizer, 0);

  return context;
}

static void
count_call (gpointer user_data)
{
  guint *counter = user_data;

  (*counter)++;
}

static guint n_released;

static void
count_release (gpointer user_data)
{
  n_released++;
}

/* Runs the finalizer, which must succeed, and says how long it took in ns. */
static double
bench_run (AtexitLoopFinalizer *finalizer)
{
  g_autoptr(GError) error = NULL;
  double start, end;

  start = bench_now_ns ();
  if (!atexit_loop_finalizer_run (finalizer, NULL, &error))
    bench_fail ("the run failed: %s", error->message);
  end = bench_now_ns ();

  if (atexit_loop_finalizer_get_pending (finalizer) != 0)
    bench_fail ("the run left %u cleanup(s) pending",
                atexit_loop_finalizer_get_pending (finalizer));

  return end - start;
}

/* ---- add + remove ------------------------------------------------------- */

/* The library: n registrations, then n removals, with a small allocated value whose
 * destroy notify frees it, like the baseline. */
static double
add_remove_library (guint n)
{
  AtexitLoopFinalizer *finalizer;
  GMainContext *context = bench_context_new (&finalizer);
  guint *ids = g_new (guint, n);
  guint removed = 0;
  double start, end;

  start = bench_now_ns ();
  for (guint i = 0; i < n; i++)
    ids[i] = atexit_loop_finalizer_add (finalizer, count_call, g_new0 (guint, 1), g_free);
  for (guint i = 0; i < n; i++)
    removed += atexit_loop_finalizer_remove (finalizer, ids[i]);
  end = bench_now_ns ();

  BENCH_CHECK_COUNT ("add-remove: removals", removed, n);
  BENCH_CHECK_COUNT ("add-remove: left pending", atexit_loop_finalizer_get_pending (finalizer), 0);
  g_free (ids);
  g_main_context_unref (context);

  return (end - start) / n;
}

/* The baseline: a GHashTable from a counter id to a small allocated value. */
static double
add_remove_baseline (guint n)
{
  GHashTable *table = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  guint *ids = g_new (guint, n);
  guint last_id = 0;
  guint removed = 0;
  double start, end;

  start = bench_now_ns ();
  for (guint i = 0; i < n; i++)
    {
      ids[i] = ++last_id;
      g_hash_table_insert (table, GUINT_TO_POINTER (ids[i]), g_new0 (guint, 1));
    }
  for (guint i = 0; i < n; i++)
    removed += g_hash_table_remove (table, GUINT_TO_POINTER (ids[i]));
  end = bench_now_ns ();

  BENCH_CHECK_COUNT ("add-remove baseline: removals", removed, n);
  g_free (ids);
  g_hash_table_unref (table);

  return (end - start) / n;
}

static void
bench_add_remove (Bench *bench)
{
  guint small = 1000;
  guint large = bench->quick ? 10000 : 1000000;

  if (!bench_wanted (bench, "add-remove"))
    return;

  {
    BenchMeasure measures[] = {
      { add_remove_library, large },
      { add_remove_baseline, large },
      { add_remove_library, small },
    };
    double lib_large, base_large, lib_small;

    bench_measure_alternating (bench->reps, measures, G_N_ELEMENTS (measures));
    lib_large = bench_median (measures[0].samples);
    base_large = bench_median (measures[1].samples);
    lib_small = bench_median (measures[2].samples);
    bench_report (bench, "add-remove", large, lib_large, "ns", base_large, TRUE, 2);
    /* O(1): a pair costs about as much among a million as among a thousand. */
    bench_report (bench, "add-remove-scaling", large, lib_large, "ns", lib_small, TRUE, 2);
    bench_measures_clear (measures, G_N_ELEMENTS (measures));
  }
}

/* ---- add_object ----------------------------------------------------------- */

/* add_object for objects finalized before shutdown. The objects are made outside the
 * timing: what is timed is registering them and dropping them, which takes them out. */
static double
add_object_library (guint n)
{
  AtexitLoopFinalizer *finalizer;
  GMainContext *context = bench_context_new (&finalizer);
  GObject **objects = g_new (GObject *, n);
  guint registered = 0;
  double start, end;

  for (guint i = 0; i < n; i++)
    objects[i] = g_object_new (G_TYPE_CANCELLABLE, NULL);

  start = bench_now_ns ();
  for (guint i = 0; i < n; i++)
    registered += atexit_loop_finalizer_add_object (finalizer, objects[i]) != 0;
  for (guint i = 0; i < n; i++)
    g_object_unref (objects[i]);
  end = bench_now_ns ();

  BENCH_CHECK_COUNT ("add-object: registrations", registered, n);
  /* Each registration went with its object. */
  BENCH_CHECK_COUNT ("add-object: left pending", atexit_loop_finalizer_get_pending (finalizer), 0);
  g_free (objects);
  g_main_context_unref (context);

  return (end - start) / n;
}

/* Finalizing the same objects without the library: a program pays it anyway, so it is
 * taken out of the library's figure. */
static double
add_object_bare_finalize (guint n)
{
  GObject **objects = g_new (GObject *, n);
  double start, end;

  for (guint i = 0; i < n; i++)
    objects[i] = g_object_new (G_TYPE_CANCELLABLE, NULL);

  start = bench_now_ns ();
  for (guint i = 0; i < n; i++)
    g_object_unref (objects[i]);
  end = bench_now_ns ();

  g_free (objects);

  return (end - start) / n;
}

static void
bench_add_object (Bench *bench)
{
  guint n = bench->quick ? 10000 : 1000000;

  if (!bench_wanted (bench, "add-object"))
    return;

  {
    BenchMeasure measures[] = {
      { add_object_library, n },
      { add_object_bare_finalize, n },
      { add_remove_library, n },
    };
    g_autoptr(GArray) own = g_array_new (FALSE, FALSE, sizeof (double));
    double with_library, bare;

    /* A difference of two figures is twice as noisy as either: twice the rounds. */
    bench_measure_alternating (2 * bench->reps, measures, G_N_ELEMENTS (measures));
    /* Round by round: the library's share is what it took beyond the bare finalization
     * measured right beside it. */
    for (guint r = 0; r < 2 * bench->reps; r++)
      {
        double share = g_array_index (measures[0].samples, double, r) -
                       g_array_index (measures[1].samples, double, r);

        g_array_append_val (own, share);
      }
    with_library = bench_median (measures[0].samples);
    bare = bench_median (measures[1].samples);
    printf ("# add-object: %.2f ns with the object's own finalization, which takes %.2f ns "
            "without the library\n", with_library, bare);
    bench_report (bench, "add-object", n, MAX (bench_median (own), 0.01), "ns",
                  bench_median (measures[2].samples), TRUE, 2);
    bench_measures_clear (measures, G_N_ELEMENTS (measures));
  }
}

/* ---- run: sync cleanups ------------------------------------------------- */

static double
run_sync_library (guint n)
{
  AtexitLoopFinalizer *finalizer;
  GMainContext *context = bench_context_new (&finalizer);
  guint counter = 0;
  double elapsed;

  for (guint i = 0; i < n; i++)
    atexit_loop_finalizer_add (finalizer, count_call, &counter, NULL);

  elapsed = bench_run (finalizer);

  BENCH_CHECK_COUNT ("run-sync: cleanups called", counter, n);
  g_main_context_unref (context);

  return elapsed / n;
}

typedef struct {
  AtexitFunc func;
  gpointer   user_data;
} BareCall;

static double
run_sync_baseline (guint n)
{
  BareCall *calls = g_new (BareCall, n);
  guint counter = 0;
  double start, end;

  for (guint i = 0; i < n; i++)
    {
      calls[i].func = count_call;
      calls[i].user_data = &counter;
    }

  start = bench_now_ns ();
  for (guint i = n; i > 0; i--)
    calls[i - 1].func (calls[i - 1].user_data);
  end = bench_now_ns ();

  BENCH_CHECK_COUNT ("run-sync baseline: calls", counter, n);
  g_free (calls);

  return (end - start) / n;
}

static void
bench_run_sync (Bench *bench)
{
  guint n = bench->quick ? 2000 : 100000;

  if (!bench_wanted (bench, "run-sync"))
    return;

  {
    BenchMeasure measures[] = {
      { run_sync_library, n },
      { run_sync_baseline, n },
    };

    bench_measure_alternating (bench->reps, measures, G_N_ELEMENTS (measures));
    bench_report (bench, "run-sync", n, bench_median (measures[0].samples), "ns",
                  bench_median (measures[1].samples), FALSE, 100);
    bench_measures_clear (measures, G_N_ELEMENTS (measures));
  }
}

/* ---- run: async cleanups ------------------------------------------------ */

typedef struct {
  guint started;
  guint returned;
} AsyncCount;

static void
return_at_once (AtexitLoopFinalizer *finalizer,
                GTask               *task,
                gpointer             user_data)
{
  AsyncCount *count = user_data;

  count->started++;
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static double
run_async_library (guint n)
{
  AtexitLoopFinalizer *finalizer;
  GMainContext *context = bench_context_new (&finalizer);
  AsyncCount count = { 0, 0 };
  double elapsed;

  n_released = 0;
  for (guint i = 0; i < n; i++)
    atexit_loop_finalizer_add_async (finalizer, return_at_once, &count, count_release);

  elapsed = bench_run (finalizer);

  /* The run succeeded without deadlines: every task was returned. */
  BENCH_CHECK_COUNT ("run-async: cleanups started", count.started, n);
  BENCH_CHECK_COUNT ("run-async: cleanups released", n_released, n);
  g_main_context_unref (context);

  return elapsed / n;
}

static void
bare_task_done (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  AsyncCount *count = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    bench_fail ("a bare task failed: %s", error->message);
  count->returned++;
}

/* The hand-written idiom, its tasks made as the library makes a cleanup's: with a source
 * object and a cancellable (with which a deadline would cancel them), returned at once,
 * in a context of their own that is iterated until all are counted back in. */
static double
run_async_bare (guint    n,
                gboolean like_the_library)
{
  GMainContext *context = g_main_context_new ();
  GObject *source_object = like_the_library ? g_object_new (G_TYPE_OBJECT, NULL) : NULL;
  GCancellable *cancellable = like_the_library ? g_cancellable_new () : NULL;
  AsyncCount count = { 0, 0 };
  double start, end;

  g_main_context_push_thread_default (context);

  start = bench_now_ns ();
  for (guint i = 0; i < n; i++)
    {
      GTask *task = g_task_new (source_object, cancellable, bare_task_done, &count);

      g_task_set_source_tag (task, run_async_bare);
      count.started++;
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
    }
  while (count.returned < n)
    g_main_context_iteration (context, TRUE);
  end = bench_now_ns ();

  BENCH_CHECK_COUNT ("run-async baseline: tasks returned", count.returned, n);
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
  g_clear_object (&source_object);
  g_clear_object (&cancellable);

  return (end - start) / n;
}

static double
run_async_baseline (guint n)
{
  return run_async_bare (n, TRUE);
}

static double
run_async_plain_tasks (guint n)
{
  return run_async_bare (n, FALSE);
}

static void
bench_run_async (Bench *bench)
{
  guint n = bench->quick ? 2000 : 100000;

  if (!bench_wanted (bench, "run-async"))
    return;

  {
    BenchMeasure measures[] = {
      { run_async_library, n },
      { run_async_baseline, n },
      { run_async_plain_tasks, n },
    };
    double lib, base, plain;

    /* A run takes a tenth of a second: more rounds steady the median. */
    bench_measure_alternating (2 * bench->reps, measures, G_N_ELEMENTS (measures));
    lib = bench_median (measures[0].samples);
    base = bench_median (measures[1].samples);
    plain = bench_median (measures[2].samples);
    /* For comparison: tasks without source object or cancellable cost less, and a
     * cleanup cannot do without them (its deadline cancels the cancellable). */
    printf ("# run-async: tasks without source object and cancellable take %.2f ns each; "
            "the library is %.2fx that\n", plain, lib / plain);
    bench_report (bench, "run-async", n, lib, "ns", base, TRUE, 1.3);
    bench_measures_clear (measures, G_N_ELEMENTS (measures));
  }
}

/* ---- run: one group per cleanup ------------------------------------------ */

/* n cleanups at n distinct priorities, registered in a shuffled order, or all at one;
 * what is timed is the run. */
static double
run_priorities (guint    n,
                gboolean distinct,
                gboolean async)
{
  AtexitLoopFinalizer *finalizer;
  GMainContext *context = bench_context_new (&finalizer);
  AsyncCount count = { 0, 0 };
  guint called = 0;
  int *priorities = g_new (int, n);
  GRand *rand = g_rand_new_with_seed (n);
  double elapsed;

  for (guint i = 0; i < n; i++)
    priorities[i] = distinct ? (int) i - (int) n / 2 : G_PRIORITY_DEFAULT;
  for (guint i = n; i > 1; i--)
    {
      guint j = g_rand_int_range (rand, 0, i);
      int swap = priorities[i - 1];

      priorities[i - 1] = priorities[j];
      priorities[j] = swap;
    }

  n_released = 0;
  for (guint i = 0; i < n; i++)
    if (async)
      atexit_loop_finalizer_add_async_full (finalizer, NULL, priorities[i],
                                            return_at_once, &count, count_release);
    else
      atexit_loop_finalizer_add_full (finalizer, NULL, priorities[i], count_call, &called, NULL);

  elapsed = bench_run (finalizer);

  if (async)
    {
      BENCH_CHECK_COUNT ("run-priorities: async cleanups started", count.started, n);
      BENCH_CHECK_COUNT ("run-priorities: async cleanups released", n_released, n);
    }
  else
    {
      BENCH_CHECK_COUNT ("run-priorities: sync cleanups called", called, n);
    }
  g_rand_free (rand);
  g_free (priorities);
  g_main_context_unref (context);

  return elapsed / n;
}

/* What no library can go below: n callbacks in blocks of a cleanup's size, allocated in
 * the same shuffled order of priorities, each called and freed in priority order. The
 * ordering itself is left out (each block is put in its place by priority as it is
 * made, untimed): what is timed is the visit of memory in another order than it was
 * allocated in, which a run at distinct priorities cannot avoid. */
typedef struct {
  AtexitFunc func;
  gpointer   user_data;
  char       rest[80 - 2 * sizeof (gpointer)];
} ByHandCleanup;

static double
run_sync_distinct_by_hand (guint n)
{
  ByHandCleanup **by_priority = g_new0 (ByHandCleanup *, n);
  GRand *rand = g_rand_new_with_seed (n);
  guint *order = g_new (guint, n);
  guint called = 0;
  double start, end;

  for (guint i = 0; i < n; i++)
    order[i] = i;
  for (guint i = n; i > 1; i--)
    {
      guint j = g_rand_int_range (rand, 0, i);
      guint swap = order[i - 1];

      order[i - 1] = order[j];
      order[j] = swap;
    }
  for (guint i = 0; i < n; i++)
    {
      ByHandCleanup *cleanup = g_new0 (ByHandCleanup, 1);

      cleanup->func = count_call;
      cleanup->user_data = &called;
      by_priority[order[i]] = cleanup;
    }

  start = bench_now_ns ();
  for (guint i = 0; i < n; i++)
    {
      ByHandCleanup *cleanup = by_priority[i];

      cleanup->func (cleanup->user_data);
      g_free (cleanup);
    }
  end = bench_now_ns ();

  BENCH_CHECK_COUNT ("run-priorities by hand: callbacks called", called, n);
  g_free (order);
  g_free (by_priority);
  g_rand_free (rand);

  return (end - start) / n;
}

static double
run_sync_distinct (guint n)
{
  return run_priorities (n, TRUE, FALSE);
}

static double
run_sync_one_priority (guint n)
{
  return run_priorities (n, FALSE, FALSE);
}

static double
run_async_distinct (guint n)
{
  return run_priorities (n, TRUE, TRUE);
}

static double
run_async_one_priority (guint n)
{
  return run_priorities (n, FALSE, TRUE);
}

static void
bench_run_priorities (Bench *bench)
{
  guint n = bench->quick ? 2000 : 200000;

  if (bench_wanted (bench, "run-priorities-sync"))
    {
      BenchMeasure measures[] = {
        { run_sync_distinct, n },
        { run_sync_one_priority, n },
        { run_sync_distinct_by_hand, n },
      };

      bench_measure_alternating (2 * bench->reps, measures, G_N_ELEMENTS (measures));
      bench_report (bench, "run-priorities-sync", n, bench_median (measures[0].samples), "ns",
                    bench_median (measures[1].samples), TRUE, 2);
      printf ("# run-priorities-sync: by hand, the same callbacks called and freed in priority "
              "order, with no ordering done: %.2f ns each; the run is %.2fx that\n",
              bench_median (measures[2].samples),
              bench_median (measures[0].samples) / bench_median (measures[2].samples));
      bench_measures_clear (measures, G_N_ELEMENTS (measures));
    }

  if (bench_wanted (bench, "run-priorities-async"))
    {
      BenchMeasure measures[] = {
        { run_async_distinct, n },
        { run_async_one_priority, n },
      };

      bench_measure_alternating (2 * bench->reps, measures, G_N_ELEMENTS (measures));
      bench_report (bench, "run-priorities-async", n, bench_median (measures[0].samples), "ns",
                    bench_median (measures[1].samples), TRUE, 2);
      bench_measures_clear (measures, G_N_ELEMENTS (measures));
    }
}

/* ---- memory ------------------------------------------------------------- */

#ifdef HAVE_MALLINFO2
/* Large arrays (the id table) are mmapped by malloc and counted apart. */
static size_t
heap_in_use (void)
{
  struct mallinfo2 info = mallinfo2 ();

  return info.uordblks + info.hblkhd;
}

static double
memory_per_cleanup (guint n)
{
  AtexitLoopFinalizer *finalizer;
  GMainContext *context = bench_context_new (&finalizer);
  guint *ids = g_new (guint, n);
  guint counter = 0;
  size_t before, after;

  /* Measured, not estimated: how much the heap grew per registration. The destroy
   * notify is NULL and the data shared, so only the library's own memory counts. */
  malloc_trim (0);
  before = heap_in_use ();
  for (guint i = 0; i < n; i++)
    ids[i] = atexit_loop_finalizer_add (finalizer, count_call, &counter, NULL);
  after = heap_in_use ();

  for (guint i = 0; i < n; i++)
    atexit_loop_finalizer_remove (finalizer, ids[i]);
  g_free (ids);
  g_main_context_unref (context);

  return (double) (after - before) / n;
}
#endif

static void
bench_memory (Bench *bench)
{
  guint n = bench->quick ? 10000 : 1000000;

  if (!bench_wanted (bench, "memory"))
    return;

#ifdef HAVE_MALLINFO2
  {
    /* Deterministic: one round is enough. */
    double per_cleanup = memory_per_cleanup (n);

    /* Under valgrind, or another malloc, mallinfo2() knows nothing. */
    if (per_cleanup > 0)
      bench_report (bench, "memory", n, per_cleanup, "bytes", 0, FALSE, 128);
    else
      printf ("# memory: not measured, malloc does not report its heap here\n");
  }
#else
  printf ("# memory: not measured, this C library has no mallinfo2()\n");
#endif
}

int
main (int   argc,
      char *argv[])
{
  Bench bench = { FALSE, 0, NULL, 0 };
  int reps = 0;
  g_autofree char *only = NULL;
  g_autoptr(GOptionContext) options = NULL;
  g_autoptr(GError) error = NULL;
  GOptionEntry entries[] = {
    { "quick", 0, 0, G_OPTION_ARG_NONE, &bench.quick, "Small sizes, one round", NULL },
    { "reps", 0, 0, G_OPTION_ARG_INT, &reps, "Rounds of each measure (5 by default)", "N" },
    { "only", 0, 0, G_OPTION_ARG_STRING, &only, "Only the measure NAME and NAME-*", "NAME" },
    { NULL }
  };

  options = g_option_context_new ("— what atexit-glib costs, against bare GLib");
  g_option_context_add_main_entries (options, entries, NULL);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  bench.reps = reps > 0 ? (guint) reps : bench.quick ? 1 : 5;
  bench.only = only;

  printf ("# atexit-glib %s, GLib %u.%u.%u, %u rounds, medians\n",
          ATEXIT_VERSION_STRING, glib_major_version, glib_minor_version, glib_micro_version,
          bench.reps);

  bench_add_remove (&bench);
  bench_add_object (&bench);
  bench_run_sync (&bench);
  bench_run_async (&bench);
  bench_run_priorities (&bench);
  bench_memory (&bench);

  /* Goals are reported, not enforced: timings depend on the machine. A failure to do
   * the timed work is enforced (bench_fail). */
  printf ("# %u goal(s) missed\n", bench.n_missed);

  return 0;
}
