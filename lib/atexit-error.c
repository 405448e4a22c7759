/* atexit-error.c: the ATEXIT_ERROR domain
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "atexit-error.h"

G_DEFINE_QUARK (atexit-error-quark, atexit_error)
