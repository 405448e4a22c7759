/* atexit-version.c: the version of the library that is loaded
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "atexit-version-macros.h"

/**
 * atexit_get_major_version:
 *
 * Gets the major version of the atexit-glib library that is loaded, which may
 * be newer than the headers the program was compiled against
 * (%ATEXIT_MAJOR_VERSION).
 *
 * Returns: the major version
 *
 * Since: 1.0
 */
guint
atexit_get_major_version (void)
{
  return ATEXIT_MAJOR_VERSION;
}

/**
 * atexit_get_minor_version:
 *
 * Gets the minor version of the atexit-glib library that is loaded.
 *
 * Returns: the minor version
 *
 * Since: 1.0
 */
guint
atexit_get_minor_version (void)
{
  return ATEXIT_MINOR_VERSION;
}

/**
 * atexit_get_micro_version:
 *
 * Gets the micro version of the atexit-glib library that is loaded.
 *
 * Returns: the micro version
 *
 * Since: 1.0
 */
guint
atexit_get_micro_version (void)
{
  return ATEXIT_MICRO_VERSION;
}

/**
 * atexit_check_version:
 * @major: required major version
 * @minor: required minor version
 * @micro: required micro version
 *
 * Whether the atexit-glib library that is loaded is at least
 * @major.@minor.@micro, within the same major version: the run-time
 * counterpart of %ATEXIT_CHECK_VERSION.
 *
 * Returns: %TRUE if the loaded library is compatible with that version
 *
 * Since: 1.0
 */
gboolean
atexit_check_version (guint major,
                      guint minor,
                      guint micro)
{
  /* Compared as numbers, not constants: with 1.0.0, "ATEXIT_MINOR_VERSION > minor"
   * would be a comparison that -Wtype-limits calls always false. */
  guint64 loaded = ((guint64) ATEXIT_MINOR_VERSION << 32) | ATEXIT_MICRO_VERSION;
  guint64 wanted = ((guint64) minor << 32) | micro;

  return major == ATEXIT_MAJOR_VERSION && loaded >= wanted;
}
