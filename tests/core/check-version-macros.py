#!/usr/bin/env python3
# The version macros act: ATEXIT_VERSION_MIN_REQUIRED and _MAX_ALLOWED are checked, and
# API marked deprecated or unavailable warns where it is used.
#
# Usage: check-version-macros.py CC -- CFLAGS...
#
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright 2026 The atexit-glib authors

import os
import shlex
import subprocess
import sys
import tempfile

PROGRAM = '''
#include <atexit-glib.h>
%s
int
main (void)
{
  %s
  return atexit_get_major_version () == ATEXIT_MAJOR_VERSION ? 0 : 1;
}
'''

CASES = [
    # (name, defines, declarations, statements, should compile, what the error says)
    ('defaults', [], '', '', True, None),
    ('min-required-1.0', ['ATEXIT_VERSION_MIN_REQUIRED=ATEXIT_VERSION_1_0'], '', '', True, None),
    ('min-required-too-old', ['ATEXIT_VERSION_MIN_REQUIRED=G_ENCODE_VERSION(0,9)'], '', '',
     False, 'must be >= ATEXIT_VERSION_1_0'),
    ('max-below-min', ['ATEXIT_VERSION_MIN_REQUIRED=G_ENCODE_VERSION(1,2)',
                       'ATEXIT_VERSION_MAX_ALLOWED=ATEXIT_VERSION_1_0'], '', '',
     False, 'must be >= ATEXIT_VERSION_MIN_REQUIRED'),
    ('deprecated-unused', [], 'ATEXIT_DEPRECATED_IN_1_0 void old_api (void);', '', True, None),
    ('deprecated-used', [], 'ATEXIT_DEPRECATED_IN_1_0 void old_api (void);', 'old_api ();',
     False, 'deprecated'),
    ('unavailable-used', [], 'ATEXIT_UNAVAILABLE (1, 2) void new_api (void);', 'new_api ();',
     False, 'Not available before 1.2'),
]


def main():
    separator = sys.argv.index('--')
    cc = shlex.split(' '.join(sys.argv[1:separator]))
    cflags = sys.argv[separator + 1:] + shlex.split(
        subprocess.run(['pkg-config', '--cflags', 'gio-2.0'], capture_output=True,
                       text=True, check=True).stdout)
    failed = 0
    print(f'1..{len(CASES)}')
    with tempfile.TemporaryDirectory(prefix='atexit-version-macros-') as tmp:
        for number, (name, defines, decls, body, ok, message) in enumerate(CASES, 1):
            source = os.path.join(tmp, name + '.c')
            with open(source, 'w') as f:
                f.write(PROGRAM % (decls, body))
            args = cc + ['-c', '-o', os.path.join(tmp, name + '.o'), '-Werror',
                         '-Wdeprecated-declarations', source] + cflags
            args += ['-D' + d for d in defines]
            proc = subprocess.run(args, capture_output=True, text=True)
            compiled = proc.returncode == 0
            good = compiled == ok and (message is None or message in proc.stderr)
            print(f'{"ok" if good else "not ok"} {number} - {name}')
            if not good:
                failed += 1
                for line in (proc.stderr or '(no output)').splitlines()[:20]:
                    print('#   ' + line)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
