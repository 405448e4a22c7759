/* atexit-error.c: the ATEXIT_ERROR domain
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "atexit-error.h"

/**
 * atexit_error_quark:
 *
 * The quark of the [error@Atexit.Error] domain; Python sees it as
 * `atexit-error-quark`.
 *
 * Returns: the quark of the error domain
 *
 * Since: 1.0
 */
G_DEFINE_QUARK (atexit-error-quark, atexit_error)
