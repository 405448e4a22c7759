/* atexit-error.h: the ATEXIT_ERROR domain
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (ATEXIT_INSIDE) && !defined (ATEXIT_COMPILATION)
# error "Only <atexit-glib.h> can be included directly."
#endif

#include <glib.h>

#include "atexit-version-macros.h"

G_BEGIN_DECLS

/**
 * ATEXIT_ERROR:
 *
 * The error domain of atexit-glib, for the errors no GIO code fits.
 *
 * Since: 1.0
 */
#define ATEXIT_ERROR (atexit_error_quark ())

/**
 * AtexitError:
 * @ATEXIT_ERROR_FAILED: a run's error: one or more of its cleanups failed or
 *   dropped their task; the message names each of them. Also the error of one
 *   cleanup, in [signal@Atexit.LoopFinalizer::cleanup-finished], that returned
 *   %FALSE without an error.
 * @ATEXIT_ERROR_TIMED_OUT: a run's error: every problem of the run was a
 *   cleanup that did not finish before its deadline, or was not started before
 *   the run's total deadline; the message names each of them. (The error of
 *   each such cleanup, in ::cleanup-finished, is %G_IO_ERROR_TIMED_OUT.)
 * @ATEXIT_ERROR_NOT_OWNER: run() could not acquire the finalizer's main
 *   context: another thread iterates it
 * @ATEXIT_ERROR_CONTEXT_DIED: the finalizer's main context has been destroyed,
 *   so it can run nothing
 * @ATEXIT_ERROR_DROPPED: the error of one cleanup, in ::cleanup-finished, that
 *   let its task be finalized without returning it
 *
 * Error codes in the %ATEXIT_ERROR domain. A cancelled run ends with
 * %G_IO_ERROR_CANCELLED instead.
 *
 * Since: 1.0
 */
typedef enum {
  ATEXIT_ERROR_FAILED,
  ATEXIT_ERROR_TIMED_OUT,
  ATEXIT_ERROR_NOT_OWNER,
  ATEXIT_ERROR_CONTEXT_DIED,
  ATEXIT_ERROR_DROPPED,
} AtexitError;

ATEXIT_AVAILABLE_IN_1_0
GQuark atexit_error_quark (void);

G_END_DECLS
