#!/usr/bin/env bash
# Sets up a machine for atexit-glib, builds it, and runs the demo or the tests.
#
#   tools/setup.sh demo [demo options]   install what the demo needs, build it (without
#                                        introspection, Vala, docs or tests, unless _build
#                                        is configured already), run _build/examples/atexit-demo
#   tools/setup.sh test                  install the rest, build with -Dwerror=true -Ddocs=true,
#                                        run every test suite, then the C suites under
#                                        valgrind, ASan+UBSan and ThreadSanitizer
#                                        (tools/ci-builds.sh); what CI runs (.ci/run)
#
# On Debian 12 it installs the packages it needs first (with sudo unless run as
# root). On a machine that already has them, it goes straight to the build.
#
# Copyright 2026 The atexit-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

set -euo pipefail

usage() {
  echo "usage: $0 demo [demo options] | test" >&2
  exit 2
}

if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
say() {
  printf '%s==> %s%s\n' "$bold" "$*" "$plain"
}

die() {
  printf 'setup.sh: %s\n' "$*" >&2
  exit 1
}

[ $# -ge 1 ] || usage
command=$1
shift
case $command in
  demo) ;;
  test) [ $# -eq 0 ] || usage ;;
  *) usage ;;
esac

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

# The system's Python (the one with PyGObject) must come before any other python3
# on PATH, for meson and for the binding tests it runs.
export PATH="/usr/bin:/bin:/usr/sbin:/sbin:$PATH"

# --- packages ---------------------------------------------------------------

have() { command -v "$1" >/dev/null 2>&1; }
have_pc() { have pkg-config && pkg-config --exists "$@" 2>/dev/null; }
have_py() { [ -x /usr/bin/python3 ] && /usr/bin/python3 -c "$1" >/dev/null 2>&1; }

# The packages, in one place: each Debian 12 package, what needs it (demo: building
# and running the demo; test: everything else that `test` builds and runs), and how
# to tell that what it provides is already there. `demo` installs the first kind,
# `test` both.
missing=()
need() {
  local level=$1 package=$2
  shift 2
  if [ "$level" = test ] && [ "$command" = demo ]; then
    return 0
  fi
  "$@" || missing+=("$package")
}

need demo meson                  have meson
need demo ninja-build            have ninja
need demo pkg-config             have pkg-config
need demo gcc                    have gcc
need demo libc6-dev              test -e /usr/include/stdio.h
need demo libglib2.0-dev         have_pc 'glib-2.0 >= 2.74' 'gobject-2.0 >= 2.74' 'gio-2.0 >= 2.74' 'gio-unix-2.0 >= 2.74'
need test libglib2.0-bin         have gdbus
need test libgirepository1.0-dev have_pc gobject-introspection-1.0
need test gobject-introspection  have g-ir-scanner
need test python3-gi             have_py 'import gi'
need test gir1.2-glib-2.0        have_py 'import gi; gi.require_version("Gio", "2.0"); from gi.repository import Gio'
need test gjs                    have gjs
need test valac                  have valac
need test gi-docgen              have gi-docgen
need test gettext                have xgettext
need test valgrind               have valgrind
need test dbus                   have dbus-daemon
need test locales                test -e /usr/share/i18n/SUPPORTED
need test ca-certificates        test -e /etc/ssl/certs/ca-certificates.crt
# The GtkApplication test (tests/owner) runs a GTK 4 window under Xvfb.
need test libgtk-4-dev           have_pc gtk4
need test xvfb                   have xvfb-run
need test xauth                  have xauth

if [ ${#missing[@]} -eq 0 ]; then
  if [ "$command" = demo ]; then
    say "Everything the demo needs is present"
  else
    say "All build and test dependencies are present"
  fi
else
  have apt-get || die "missing: ${missing[*]} (install them with your package manager; these are Debian 12 names)"

  if [ "$(id -u)" -eq 0 ]; then
    as_root=()
  elif have sudo; then
    as_root=(sudo)
  else
    die "missing: ${missing[*]}; run as root, or install sudo, to install them"
  fi

  say "Installing ${missing[*]}"
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}"
fi

# --- configure and build ----------------------------------------------------

builddir=_build
stamp="$builddir/.setup-options"
configured=false
[ -f "$builddir/meson-private/coredata.dat" ] && configured=true

if [ "$command" = demo ]; then
  # Only what the demo needs: no introspection, Vala, reference or tests. A build
  # directory that is already configured (by `test`, say) is used as it is.
  options=(-Dwerror=false -Dintrospection=disabled -Dvapi=disabled -Ddocs=false -Dtests=false)
  if ! $configured; then
    say "Configuring $builddir (${options[*]})"
    rm -rf "$builddir"
    meson setup "$builddir" "${options[@]}"
    echo "${options[*]}" > "$stamp"
  fi
  say "Building the demo"
  meson compile -C "$builddir" examples/atexit-demo
  say "Running the demo"
  exec "$builddir/examples/atexit-demo" "$@"
fi

options=(-Dwerror=true -Ddocs=true -Dtests=true -Dexamples=true -Dintrospection=auto -Dvapi=auto)
if ! $configured; then
  say "Configuring $builddir (${options[*]})"
  rm -rf "$builddir"
  meson setup "$builddir" "${options[@]}"
elif [ "$(cat "$stamp" 2>/dev/null)" != "${options[*]}" ]; then
  say "Reconfiguring $builddir (${options[*]})"
  meson setup --reconfigure "$builddir" "${options[@]}" ||
    { say "Reconfiguring failed; configuring $builddir from scratch"
      meson setup --wipe "$builddir" "${options[@]}"; }
fi
echo "${options[*]}" > "$stamp"

say "Building"
meson compile -C "$builddir"

# --- run the tests ----------------------------------------------------------

say "Running the tests"
meson test -C "$builddir" --print-errorlogs

say "Running the C suites under valgrind, ASan+UBSan and ThreadSanitizer"
"$root/tools/ci-builds.sh"

# One closing line for the whole run, counted from meson's logs of each build.
/usr/bin/python3 - "$builddir" "${ATEXIT_CI_BUILDS:-${TMPDIR:-/tmp}/atexit-glib-ci-builds}" <<'EOF'
import json, pathlib, sys
counts = {"passed": 0, "failed": 0, "skipped": 0}
builds = pathlib.Path(sys.argv[2])
logs = [pathlib.Path(sys.argv[1]) / "meson-logs" / "testlog.json",
        builds / "memcheck" / "meson-logs" / "testlog-valgrind.json",
        builds / "asan" / "meson-logs" / "testlog.json",
        builds / "tsan" / "meson-logs" / "testlog.json"]
for log in logs:
    if log.exists():
        for line in log.read_text().splitlines():
            result = json.loads(line)["result"]
            if result in ("OK", "EXPECTEDFAIL"):
                counts["passed"] += 1
            elif result == "SKIP":
                counts["skipped"] += 1
            else:
                counts["failed"] += 1
print("tests: {passed} passed, {failed} failed, {skipped} skipped".format(**counts))
EOF
say "All tests passed"
