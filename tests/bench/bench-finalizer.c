/* bench-finalizer.c: what registering, removing and running cleanups cost,
 * measured against the bare GLib code a program would write without the library
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each measurement prints one line that a script can read:
 *
 *   BENCH <name> n=<n> value=<v> unit=<u> baseline=<b> ratio=<v/b> goal_of=<ratio|value> goal<=<g> met|missed
 *
 * `baseline` is measured in the same process, right next to the library's figure;
 * `goal_of` says whether the goal bounds the ratio or the value itself. Every figure
 * is the best of several repetitions, taken in alternation with its baseline. Lines
 * starting with `#` are comments.
 *
 * Usage: bench-finalizer [--quick] [--reps N] [--only NAME]
 *   --quick   small sizes and one repetition: a smoke test of the program itself
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#ifdef HAVE_MALLINFO2
# include <malloc.h>
#endif

#include <atexit-glib.h>

typedef struct {
  gboolean    quick;
  guint       reps;
  const char *only;
  guint       n_missed;
} Bench;

static gboolean
bench_wanted (Bench      *bench,
              const char *name)
{
  return bench->only == NULL || g_str_has_prefix (name, bench->only);
}

static void
bench_report (Bench      *bench,
              const char *name,
              guint       n,
              double      value,
              const char *unit,
              double      baseline,
              gboolean    goal_on_ratio,
              double      goal)
{
  double ratio = baseline > 0 ? value / baseline : 0;
  gboolean met = goal_on_ratio ? ratio <= goal : value <= goal;

  if (!met)
    bench->n_missed++;

  printf ("BENCH %s n=%u value=%.2f unit=%s baseline=%.2f ratio=%.2f goal_of=%s goal<=%g %s\n",
          name, n, value, unit, baseline, ratio,
          goal_on_ratio ? "ratio" : "value", goal, met ? "met" : "missed");
  fflush (stdout);
}

static double
now_ns (void)
{
  return g_get_monotonic_time () * 1000.;
}

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
noop_func (gpointer user_data)
{
  guint *counter = user_data;

  (*counter)++;
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
  double start, end;

  start = now_ns ();
  for (guint i = 0; i < n; i++)
    ids[i] = atexit_loop_finalizer_add (finalizer, noop_func, g_new0 (guint, 1), g_free);
  for (guint i = 0; i < n; i++)
    atexit_loop_finalizer_remove (finalizer, ids[i]);
  end = now_ns ();

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
  double start, end;

  start = now_ns ();
  for (guint i = 0; i < n; i++)
    {
      ids[i] = ++last_id;
      g_hash_table_insert (table, GUINT_TO_POINTER (ids[i]), g_new0 (guint, 1));
    }
  for (guint i = 0; i < n; i++)
    g_hash_table_remove (table, GUINT_TO_POINTER (ids[i]));
  end = now_ns ();

  g_free (ids);
  g_hash_table_unref (table);

  return (end - start) / n;
}

/* Measures several functions in alternation, round by round, keeping the best of
 * each: a noisy moment of the machine (other processes, page reclaim) then hits the
 * library and its baseline alike instead of one of them. Each entry runs `per_round`
 * times a round, so that a small size, quick and easily disturbed, gets more tries. */
typedef struct {
  double (*func) (guint);
  guint    n;
  guint    per_round;
  double   best;
} Measure;

static void
measure_alternating (guint    rounds,
                     Measure *measures,
                     guint    n_measures)
{
  for (guint m = 0; m < n_measures; m++)
    measures[m].best = G_MAXDOUBLE;

  for (guint r = 0; r < rounds; r++)
    for (guint m = 0; m < n_measures; m++)
      for (guint i = 0; i < measures[m].per_round; i++)
        measures[m].best = MIN (measures[m].best, measures[m].func (measures[m].n));
}

static void
bench_add_remove (Bench *bench)
{
  guint small = 1000;
  guint large = bench->quick ? 10000 : 1000000;
  double lib_small, lib_large, base_large;

  if (!bench_wanted (bench, "add-remove"))
    return;

  {
    Measure measures[] = {
      { add_remove_library, large, 1 },
      { add_remove_baseline, large, 1 },
      { add_remove_library, small, 10 },
    };

    measure_alternating (bench->reps, measures, G_N_ELEMENTS (measures));
    lib_large = measures[0].best;
    base_large = measures[1].best;
    lib_small = measures[2].best;
  }

  bench_report (bench, "add-remove", large, lib_large, "ns", base_large, TRUE, 3);
  bench_report (bench, "add-remove-scaling", large, lib_large, "ns", lib_small, TRUE, 2);
}

/* ---- run: sync cleanups ------------------------------------------------- */

static double
run_sync_library (guint n)
{
  AtexitLoopFinalizer *finalizer;
  GMainContext *context = bench_context_new (&finalizer);
  guint counter = 0;
  double start, end;
  gboolean ok;

  for (guint i = 0; i < n; i++)
    atexit_loop_finalizer_add (finalizer, noop_func, &counter, NULL);

  start = now_ns ();
  ok = atexit_loop_finalizer_run (finalizer, NULL, NULL);
  end = now_ns ();

  g_assert_true (ok);
  g_assert_cmpuint (counter, ==, n);
  g_main_context_unref (context);

  return (end - start) / n;
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
      calls[i].func = noop_func;
      calls[i].user_data = &counter;
    }

  start = now_ns ();
  for (guint i = n; i > 0; i--)
    calls[i - 1].func (calls[i - 1].user_data);
  end = now_ns ();

  g_assert_cmpuint (counter, ==, n);
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
    Measure measures[] = {
      { run_sync_library, n, 1 },
      { run_sync_baseline, n, 1 },
    };

    measure_alternating (bench->reps, measures, G_N_ELEMENTS (measures));
    bench_report (bench, "run-sync", n, measures[0].best, "ns", measures[1].best, FALSE, 100);
  }
}

/* ---- run: async cleanups ------------------------------------------------ */

static void
return_at_once (AtexitLoopFinalizer *finalizer,
                GTask               *task,
                gpointer             user_data)
{
  guint *counter = user_data;

  (*counter)++;
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static double
run_async_library (guint n)
{
  AtexitLoopFinalizer *finalizer;
  GMainContext *context = bench_context_new (&finalizer);
  guint counter = 0;
  double start, end;
  gboolean ok;

  for (guint i = 0; i < n; i++)
    atexit_loop_finalizer_add_async (finalizer, return_at_once, &counter, NULL);

  start = now_ns ();
  ok = atexit_loop_finalizer_run (finalizer, NULL, NULL);
  end = now_ns ();

  g_assert_true (ok);
  g_assert_cmpuint (counter, ==, n);
  g_main_context_unref (context);

  return (end - start) / n;
}

static void
bare_task_done (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  guint *remaining = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_error ("%s", error->message);
  (*remaining)--;
}

/* The hand-written idiom: start n tasks, count them back in, iterate until done. */
static double
run_async_baseline (guint n)
{
  GMainContext *context = g_main_context_new ();
  guint remaining = n;
  double start, end;

  g_main_context_push_thread_default (context);

  start = now_ns ();
  for (guint i = 0; i < n; i++)
    {
      GTask *task = g_task_new (NULL, NULL, bare_task_done, &remaining);

      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
    }
  while (remaining > 0)
    g_main_context_iteration (context, TRUE);
  end = now_ns ();

  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);

  return (end - start) / n;
}

static void
bench_run_async (Bench *bench)
{
  guint n = bench->quick ? 2000 : 100000;
  guint small = 1000;
  guint large = bench->quick ? 10000 : 1000000;
  double lib, base, lib_small, lib_large;

  if (bench_wanted (bench, "run-async"))
    {
      Measure measures[] = {
        { run_async_library, n, 1 },
        { run_async_baseline, n, 1 },
      };

      measure_alternating (bench->reps * 2, measures, G_N_ELEMENTS (measures));
      lib = measures[0].best;
      base = measures[1].best;
      bench_report (bench, "run-async", n, lib, "ns", base, TRUE, 1.5);
    }

  if (bench_wanted (bench, "run-async-scaling"))
    {
      Measure measures[] = {
        { run_async_library, large, 1 },
        { run_async_library, small, 10 },
        { run_async_baseline, large, 1 },
        { run_async_baseline, small, 10 },
      };

      measure_alternating (bench->reps, measures, G_N_ELEMENTS (measures));
      lib_large = measures[0].best;
      lib_small = measures[1].best;
      /* For comparison: how the hand-written idiom itself scales. */
      printf ("# run-async-scaling: bare GTasks take %.2f ns each at n=%u, %.2f ns at n=%u\n",
              measures[3].best, small, measures[2].best, large);
      bench_report (bench, "run-async-scaling", large, lib_large, "ns", lib_small, TRUE, 2);
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
    ids[i] = atexit_loop_finalizer_add (finalizer, noop_func, &counter, NULL);
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
    /* Deterministic: one repetition is enough. */
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

/* ---- add_object --------------------------------------------------------- */

/* ADD_OBJECT: the cost of atexit_loop_finalizer_add_object() for an object that is
 * finalized before shutdown, against add + remove (goal: at most 3×). It is built
 * once the library declares add_object; until then the line is a comment. */
#ifdef HAVE_ADD_OBJECT
static double
add_object_library (guint n)
{
  AtexitLoopFinalizer *finalizer;
  GMainContext *context = bench_context_new (&finalizer);
  GObject **objects = g_new (GObject *, n);
  double start, end;

  /* The objects are made outside the timing: only registering and dropping out count. */
  for (guint i = 0; i < n; i++)
    objects[i] = g_object_new (G_TYPE_CANCELLABLE, NULL);

  start = now_ns ();
  for (guint i = 0; i < n; i++)
    (void) atexit_loop_finalizer_add_object (finalizer, objects[i]);
  for (guint i = 0; i < n; i++)
    g_object_unref (objects[i]);
  end = now_ns ();

  g_assert_cmpuint (atexit_loop_finalizer_get_pending (finalizer), ==, 0);
  g_free (objects);
  g_main_context_unref (context);

  return (end - start) / n;
}

/* What finalizing the same objects costs without the library: a program pays it
 * anyway, so it is taken out of the library's figure. */
static double
add_object_bare_finalize (guint n)
{
  GObject **objects = g_new (GObject *, n);
  double start, end;

  for (guint i = 0; i < n; i++)
    objects[i] = g_object_new (G_TYPE_CANCELLABLE, NULL);

  start = now_ns ();
  for (guint i = 0; i < n; i++)
    g_object_unref (objects[i]);
  end = now_ns ();

  g_free (objects);

  return (end - start) / n;
}
#endif

static void
bench_add_object (Bench *bench)
{
  guint n = bench->quick ? 10000 : 1000000;

  if (!bench_wanted (bench, "add-object"))
    return;

#ifdef HAVE_ADD_OBJECT
  {
    Measure measures[] = {
      { add_object_library, n, 1 },
      { add_object_bare_finalize, n, 1 },
      { add_remove_library, n, 1 },
    };
    double with_library, bare;

    measure_alternating (bench->reps, measures, G_N_ELEMENTS (measures));
    with_library = measures[0].best;
    bare = measures[1].best;
    printf ("# add-object: %.2f ns with the object's own finalization, %.2f ns of it without the library\n",
            with_library, bare);
    bench_report (bench, "add-object", n, MAX (with_library - bare, 0.01), "ns",
                  measures[2].best, TRUE, 3);
  }
#else
  printf ("# add-object: not measured, atexit_loop_finalizer_add_object() does not exist yet (n=%u)\n", n);
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
    { "quick", 0, 0, G_OPTION_ARG_NONE, &bench.quick, "Small sizes, one repetition", NULL },
    { "reps", 0, 0, G_OPTION_ARG_INT, &reps, "Repetitions of each measurement", "N" },
    { "only", 0, 0, G_OPTION_ARG_STRING, &only, "Only the measurements named so", "NAME" },
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

  printf ("# atexit-glib %s, GLib %u.%u.%u, %u repetitions, best of each\n",
          ATEXIT_VERSION_STRING, glib_major_version, glib_minor_version, glib_micro_version, bench.reps);

  bench_add_remove (&bench);
  bench_add_object (&bench);
  bench_run_sync (&bench);
  bench_run_async (&bench);
  bench_memory (&bench);

  /* Goals are reported, not enforced: timings depend on the machine. */
  printf ("# %u goal(s) missed\n", bench.n_missed);

  return 0;
}
