/* test-common.h: what the core test programs share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <atexit-glib.h>

/* Iterates @context until @condition holds: the tests wait on the loop, never on
 * the clock. */
#define WAIT_FOR(context, condition) \
  G_STMT_START { \
    while (!(condition)) \
      g_main_context_iteration ((context), TRUE); \
  } G_STMT_END

/* The result of a run_async, filled in by run_done_cb. */
typedef struct {
  gboolean done;
  gboolean ok;
  GError  *error;
} RunResult;

static inline void
run_result_clear (RunResult *res)
{
  g_clear_error (&res->error);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RunResult, run_result_clear)

static inline void
run_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      data)
{
  RunResult *res = data;

  g_assert_false (res->done);
  res->ok = atexit_loop_finalizer_run_finish (ATEXIT_LOOP_FINALIZER (object), result, &res->error);
  res->done = TRUE;
}
