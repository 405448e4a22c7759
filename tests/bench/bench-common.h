/* bench-common.h: what the benchmark programs share: the BENCH line, medians taken in
 * alternation with a baseline, and failing loudly when the timed work did not happen
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each measure prints one line that a script can read:
 *
 *   BENCH <name> n=<n> value=<v> unit=<u> baseline=<b> ratio=<v/b>
 *         goal_of=<ratio|value> goal<=<g> met|missed       (on one line)
 *
 * `baseline` is measured in the same process, in alternation with the library's
 * figure, round by round, so that a noisy moment of a shared machine hits both alike;
 * each figure is the median of its rounds: --reps of them (5 by default), or two or
 * three times as many for the figures that are short or a difference of two. `goal_of`
 * says whether the goal bounds the ratio or the value itself. Lines starting with `#`
 * are comments; one of the form `# <name>: not measured, <why>` stands for a measure
 * that cannot be taken here.
 */

#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  gboolean    quick;
  guint       reps;
  const char *only;
  guint       n_missed;
} Bench;

/* A timed piece of work: returns what it measured (per operation, or in total). */
typedef double (*BenchFunc) (guint n);

typedef struct {
  BenchFunc func;
  guint     n;
  GArray   *samples;   /* double, one per round */
} BenchMeasure;

static inline double
bench_now_ns (void)
{
  return g_get_monotonic_time () * 1000.;
}

/* The benchmark is meaningless if the work it timed did not happen: it stops, loudly,
 * with a failing exit status. */
G_GNUC_PRINTF (1, 2) G_GNUC_NORETURN static inline void
bench_fail (const char *format,
            ...)
{
  va_list args;

  va_start (args, format);
  fprintf (stderr, "FAIL: ");
  vfprintf (stderr, format, args);
  fprintf (stderr, "\n");
  va_end (args);
  fflush (stdout);
  exit (1);
}

#define BENCH_CHECK_COUNT(what, got, expected) \
  G_STMT_START { \
    guint64 got_ = (got), expected_ = (expected); \
    if (got_ != expected_) \
      bench_fail ("%s: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " done", \
                  (what), got_, expected_); \
  } G_STMT_END

/* --only NAME takes the measure NAME and those whose name goes on from it after a dash:
 * "run" takes "run-sync" and "run-async", "shutdown-1000" does not take "shutdown-10000". */
static inline gboolean
bench_wanted (Bench      *bench,
              const char *name)
{
  gsize length;

  if (bench->only == NULL)
    return TRUE;
  length = strlen (bench->only);
  return strncmp (name, bench->only, length) == 0 && (name[length] == '\0' || name[length] == '-');
}

static inline int
bench_compare_doubles (gconstpointer a,
                       gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y ? 1 : 0;
}

static inline double
bench_median (GArray *samples)
{
  g_autoptr(GArray) sorted = g_array_copy (samples);
  guint n = sorted->len;

  g_assert (n > 0);
  g_array_sort (sorted, bench_compare_doubles);
  if (n % 2 == 1)
    return g_array_index (sorted, double, n / 2);
  return (g_array_index (sorted, double, n / 2 - 1) + g_array_index (sorted, double, n / 2)) / 2;
}

/* Runs each measure once a round, in turn, for @rounds rounds. */
static inline void
bench_measure_alternating (guint         rounds,
                           BenchMeasure *measures,
                           guint         n_measures)
{
  for (guint m = 0; m < n_measures; m++)
    measures[m].samples = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint r = 0; r < rounds; r++)
    for (guint m = 0; m < n_measures; m++)
      {
        double sample = measures[m].func (measures[m].n);

        g_array_append_val (measures[m].samples, sample);
      }
}

static inline void
bench_measures_clear (BenchMeasure *measures,
                      guint         n_measures)
{
  for (guint m = 0; m < n_measures; m++)
    g_clear_pointer (&measures[m].samples, g_array_unref);
}

static inline void
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

/* The spread behind a median, as a comment: how far to trust it. */
static inline void
bench_print_spread (const char   *name,
                    BenchMeasure *measure,
                    const char   *what)
{
  g_autoptr(GArray) sorted = g_array_copy (measure->samples);

  g_array_sort (sorted, bench_compare_doubles);
  printf ("# %s: %s over %u rounds: min %.2f, median %.2f, max %.2f\n",
          name, what, sorted->len, g_array_index (sorted, double, 0), bench_median (sorted),
          g_array_index (sorted, double, sorted->len - 1));
}

G_END_DECLS
