#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs a benchmark program and checks that what it prints is well formed.

Usage: check-bench-output.py NAME[,NAME...] PROGRAM [ARGS...]

Every line is a `#` comment or a BENCH line, and each measure named in the first
argument has either a BENCH line or a `# <name>: not measured, <reason>` comment
(a `# <prefix>: not measured` comment stands for every measure under that prefix):

  BENCH <name> n=<n> value=<v> unit=<u> baseline=<b> ratio=<r> goal_of=<ratio|value> goal<=<g> met|missed

The timings themselves are not judged here: they depend on the machine.
"""

import re
import subprocess
import sys

NUMBER = r'[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?'
BENCH_LINE = re.compile(
    r'^BENCH (?P<name>[a-z][a-z0-9-]*)'
    r' n=(?P<n>[0-9]+)'
    rf' value=(?P<value>{NUMBER})'
    r' unit=(?P<unit>ns|ms|bytes)'
    rf' baseline=(?P<baseline>{NUMBER})'
    rf' ratio=(?P<ratio>{NUMBER})'
    r' goal_of=(?P<goal_of>ratio|value)'
    rf' goal<=(?P<goal>{NUMBER})'
    r' (?P<verdict>met|missed)$')


def main():
    if len(sys.argv) < 3:
        print('usage: check-bench-output.py NAME[,NAME...] PROGRAM [ARGS...]', file=sys.stderr)
        return 2

    expected = set(sys.argv[1].split(','))
    proc = subprocess.run(sys.argv[2:], stdout=subprocess.PIPE, text=True, check=False)
    sys.stdout.write(proc.stdout)
    if proc.returncode != 0:
        print(f'FAIL: {sys.argv[2]} exited with {proc.returncode}', file=sys.stderr)
        return 1

    seen = set()
    skipped = set()
    for line in proc.stdout.splitlines():
        if line.startswith('#'):
            # A measurement that cannot be taken here says so: "# <name>: not measured, why".
            not_measured = re.match(r'^# ([a-z][a-z0-9-]*): not measured, ', line)
            if not_measured:
                skipped.add(not_measured[1])
            continue
        match = BENCH_LINE.match(line)
        if match is None:
            print(f'FAIL: malformed line: {line!r}', file=sys.stderr)
            return 1
        if float(match['value']) <= 0 or int(match['n']) <= 0:
            print(f'FAIL: nothing was measured: {line!r}', file=sys.stderr)
            return 1
        seen.add(match['name'])

    missing = {name for name in expected
               if name not in seen and name not in skipped
               and not any(name.startswith(prefix + '-') for prefix in skipped)}
    if missing:
        print(f'FAIL: no line for {", ".join(sorted(missing))}', file=sys.stderr)
        return 1

    return 0


if __name__ == '__main__':
    sys.exit(main())
