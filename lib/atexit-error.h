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
 * @ATEXIT_ERROR_FAILED: one or more cleanups of a run failed or dropped their
 *   task; the message names each of them
 * @ATEXIT_ERROR_TIMED_OUT: every problem of a run was a cleanup that did not
 *   finish before its group's deadline; the message names each of them
 * @ATEXIT_ERROR_NOT_OWNER: the calling thread cannot acquire the finalizer's
 *   main context, so it cannot run the finalizer
 * @ATEXIT_ERROR_CONTEXT_DIED: the finalizer's main context has been destroyed
 * @ATEXIT_ERROR_DROPPED: a cleanup let its task be finalized without returning it
 *
 * Error codes in the %ATEXIT_ERROR domain.
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
