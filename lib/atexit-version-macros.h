/* atexit-version-macros.h: export, availability and deprecation macros
 *
 * Copyright 2026 The atexit-glib authors
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

/**
 * ATEXIT_VERSION_1_0:
 *
 * A macro that evaluates to the 1.0 version of atexit-glib, in a format
 * that can be used by the C pre-processor, for %ATEXIT_VERSION_MIN_REQUIRED
 * and %ATEXIT_VERSION_MAX_ALLOWED.
 *
 * Since: 1.0
 */
#define ATEXIT_VERSION_1_0 (G_ENCODE_VERSION (1, 0))

/* The stable series this header belongs to: an odd minor version is a
 * development series, which belongs to the stable one that follows it. */
#if (ATEXIT_MINOR_VERSION == 99)
# define ATEXIT_VERSION_CUR_STABLE (G_ENCODE_VERSION (ATEXIT_MAJOR_VERSION + 1, 0))
#elif (ATEXIT_MINOR_VERSION % 2)
# define ATEXIT_VERSION_CUR_STABLE \
  (G_ENCODE_VERSION (ATEXIT_MAJOR_VERSION, ATEXIT_MINOR_VERSION + 1))
#else
# define ATEXIT_VERSION_CUR_STABLE (G_ENCODE_VERSION (ATEXIT_MAJOR_VERSION, ATEXIT_MINOR_VERSION))
#endif

#if (ATEXIT_MINOR_VERSION == 99)
# define ATEXIT_VERSION_PREV_STABLE (G_ENCODE_VERSION (ATEXIT_MAJOR_VERSION + 1, 0))
#elif (ATEXIT_MINOR_VERSION % 2)
# define ATEXIT_VERSION_PREV_STABLE \
  (G_ENCODE_VERSION (ATEXIT_MAJOR_VERSION, ATEXIT_MINOR_VERSION - 1))
#else
# define ATEXIT_VERSION_PREV_STABLE \
  (G_ENCODE_VERSION (ATEXIT_MAJOR_VERSION, ATEXIT_MINOR_VERSION - 2))
#endif

/**
 * ATEXIT_VERSION_MIN_REQUIRED:
 *
 * The oldest version of atexit-glib the code that includes the header must run
 * against; define it before including `<atexit-glib.h>`. API deprecated in
 * that version or earlier warns when used. It defaults to the version of the
 * header.
 *
 * Since: 1.0
 */
#ifndef ATEXIT_VERSION_MIN_REQUIRED
# define ATEXIT_VERSION_MIN_REQUIRED (ATEXIT_VERSION_CUR_STABLE)
#endif

/**
 * ATEXIT_VERSION_MAX_ALLOWED:
 *
 * The newest version of atexit-glib whose API the code that includes the
 * header may use; define it before including `<atexit-glib.h>`. API added
 * after it warns when used. It defaults to %ATEXIT_VERSION_MIN_REQUIRED where
 * that is newer than the previous stable series, else to the version of the
 * header.
 *
 * Since: 1.0
 */
#ifndef ATEXIT_VERSION_MAX_ALLOWED
# if ATEXIT_VERSION_MIN_REQUIRED > ATEXIT_VERSION_PREV_STABLE
#  define ATEXIT_VERSION_MAX_ALLOWED (ATEXIT_VERSION_MIN_REQUIRED)
# else
#  define ATEXIT_VERSION_MAX_ALLOWED (ATEXIT_VERSION_CUR_STABLE)
# endif
#endif

#if ATEXIT_VERSION_MAX_ALLOWED < ATEXIT_VERSION_MIN_REQUIRED
# error "ATEXIT_VERSION_MAX_ALLOWED must be >= ATEXIT_VERSION_MIN_REQUIRED"
#endif
#if ATEXIT_VERSION_MIN_REQUIRED < ATEXIT_VERSION_1_0
# error "ATEXIT_VERSION_MIN_REQUIRED must be >= ATEXIT_VERSION_1_0"
#endif

/* The scanner needs none of these; it would take the function-like ones for API. */
#ifndef __GI_SCANNER__

#define ATEXIT_AVAILABLE_IN_ALL                  _ATEXIT_EXTERN
#define ATEXIT_DEPRECATED                        G_DEPRECATED _ATEXIT_EXTERN
#define ATEXIT_DEPRECATED_FOR(f)                 G_DEPRECATED_FOR (f) _ATEXIT_EXTERN
#define ATEXIT_UNAVAILABLE(maj,min)              G_UNAVAILABLE (maj, min) _ATEXIT_EXTERN
#define ATEXIT_UNAVAILABLE_STATIC_INLINE(maj,min) G_UNAVAILABLE (maj, min)

#if ATEXIT_VERSION_MIN_REQUIRED >= ATEXIT_VERSION_1_0
# define ATEXIT_DEPRECATED_IN_1_0                ATEXIT_DEPRECATED
# define ATEXIT_DEPRECATED_IN_1_0_FOR(f)         ATEXIT_DEPRECATED_FOR (f)
#else
# define ATEXIT_DEPRECATED_IN_1_0                _ATEXIT_EXTERN
# define ATEXIT_DEPRECATED_IN_1_0_FOR(f)         _ATEXIT_EXTERN
#endif

#if ATEXIT_VERSION_MAX_ALLOWED < ATEXIT_VERSION_1_0
# define ATEXIT_AVAILABLE_IN_1_0                 ATEXIT_UNAVAILABLE (1, 0)
#else
# define ATEXIT_AVAILABLE_IN_1_0                 _ATEXIT_EXTERN
#endif

#else /* __GI_SCANNER__ */
# define ATEXIT_AVAILABLE_IN_ALL
# define ATEXIT_AVAILABLE_IN_1_0
# define ATEXIT_DEPRECATED
# define ATEXIT_DEPRECATED_IN_1_0
#endif /* __GI_SCANNER__ */

G_BEGIN_DECLS

/* The version of the library that is loaded, which may be newer than the
 * headers (atexit-version.h) the program was compiled against. */
ATEXIT_AVAILABLE_IN_1_0
guint    atexit_get_major_version (void) G_GNUC_CONST;
ATEXIT_AVAILABLE_IN_1_0
guint    atexit_get_minor_version (void) G_GNUC_CONST;
ATEXIT_AVAILABLE_IN_1_0
guint    atexit_get_micro_version (void) G_GNUC_CONST;
ATEXIT_AVAILABLE_IN_1_0
gboolean atexit_check_version     (guint major,
                                   guint minor,
                                   guint micro);

G_END_DECLS
