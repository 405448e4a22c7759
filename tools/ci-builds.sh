#!/bin/sh
# ci-builds.sh: the builds CI runs after the normal test suite
#
#   memcheck  the C test suites under valgrind memcheck with GLib's suppressions:
#             any byte definitely or indirectly lost, or any invalid access, fails
#   asan      an AddressSanitizer + UndefinedBehaviorSanitizer build and its tests
#   tsan      a ThreadSanitizer build and every C test suite (thread stress at full size)
#
# Usage: tools/ci-builds.sh [memcheck] [asan] [tsan]      (default: all three)
# Build directories go under $ATEXIT_CI_BUILDS (default: a directory in $TMPDIR),
# never inside the source tree. Introspection, the Vala API and the examples are
# left out of these builds: the binding tests run in the normal suite, and Python
# and GJS are neither instrumented nor valgrind-clean themselves.
#
# Copyright 2026 The atexit-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

set -eu

srcdir=$(cd "$(dirname "$0")/.." && pwd)
builds=${ATEXIT_CI_BUILDS:-${TMPDIR:-/tmp}/atexit-glib-ci-builds}
jobs=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
common="-Dwerror=true -Dintrospection=disabled -Dvapi=disabled -Dexamples=false -Ddocs=false"

steps=${*:-memcheck asan tsan}

setup () {
  name=$1
  shift
  rm -rf "$builds/$name"
  mkdir -p "$builds"
  # shellcheck disable=SC2086
  meson setup "$builds/$name" "$srcdir" $common "$@" >"$builds/$name.setup.log" 2>&1 ||
    { cat "$builds/$name.setup.log"; exit 1; }
  ninja -C "$builds/$name"
}

run_step () {
  name=$1
  start=$(date +%s)
  echo "=== $name"
  case $name in
    memcheck)
      setup memcheck
      meson test -C "$builds/memcheck" --setup valgrind --num-processes "$jobs" --print-errorlogs
      ;;
    asan)
      setup asan -Db_sanitize=address,undefined -Db_lundef=false
      meson test -C "$builds/asan" --num-processes "$jobs" --print-errorlogs
      ;;
    tsan)
      setup tsan -Db_sanitize=thread -Db_lundef=false
      # Every C test program starts threads (its own, or GIO's workers) and, in this
      # build, links the wrappers that show GLib's futex-based mutex to ThreadSanitizer
      # (tests/tsan-glib-mutex.c).
      meson test -C "$builds/tsan" --suite core --suite integration --suite owner --suite reliability \
        --suite bench-smoke --num-processes "$jobs" --print-errorlogs
      ;;
    *)
      echo "unknown build: $name" >&2
      exit 2
      ;;
  esac
  echo "=== $name passed in $(( $(date +%s) - start )) s"
}

for step in $steps; do
  run_step "$step"
done
