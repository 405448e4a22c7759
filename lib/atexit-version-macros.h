/* atexit-version-macros.h: export and availability macros
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (ATEXIT_INSIDE) && !defined (ATEXIT_COMPILATION)
# error "Only <atexit-glib.h> can be included directly."
#endif

#include <glib.h>

#include "atexit-version.h"

#ifndef _ATEXIT_EXTERN
# if defined (_WIN32) && defined (ATEXIT_COMPILATION)
#  define _ATEXIT_EXTERN __declspec(dllexport) extern
# elif defined (__GNUC__)
#  define _ATEXIT_EXTERN __attribute__((visibility ("default"))) extern
# else
#  define _ATEXIT_EXTERN extern
# endif
#endif

#define ATEXIT_VERSION_1_0 (G_ENCODE_VERSION (1, 0))

#ifndef ATEXIT_VERSION_MIN_REQUIRED
# define ATEXIT_VERSION_MIN_REQUIRED ATEXIT_VERSION_1_0
#endif

#ifndef ATEXIT_VERSION_MAX_ALLOWED
# define ATEXIT_VERSION_MAX_ALLOWED ATEXIT_VERSION_1_0
#endif

#define ATEXIT_AVAILABLE_IN_ALL _ATEXIT_EXTERN
#define ATEXIT_AVAILABLE_IN_1_0 _ATEXIT_EXTERN
