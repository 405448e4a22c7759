#!/usr/bin/env python3
# The code blocks of a guide page, kept true by the test suite.
#
#   doc-snippets.py extract PAGE.md OUTPUT.c   the blocks marked <!-- compiled -->, in
#                                              order, as one C file (with #line), for a
#                                              test program to include
#   doc-snippets.py check PAGE.md SOURCE_ROOT  every block is marked; each marked
#                                              <!-- verbatim: PATH --> is found in PATH
#                                              (relative to SOURCE_ROOT), line for line,
#                                              indentation aside; prints TAP
#
# A mark is an HTML comment, the last non-blank line before the block's opening fence;
# the page shows nothing of it.
#
# Copyright 2026 The atexit-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import re
import sys
import textwrap

MARK = re.compile(r'^<!--\s*(compiled|verbatim:\s*(\S+))\s*-->$')
FENCE = re.compile(r'^(```+)\s*(\S*)\s*$')


def blocks(page):
    """Yields (line number of the first code line, language, mark, path, code lines)."""
    with open(page, encoding='utf-8') as f:
        lines = f.read().split('\n')
    i = 0
    while i < len(lines):
        fence = FENCE.match(lines[i])
        if not fence:
            i += 1
            continue
        j = i - 1
        while j >= 0 and lines[j].strip() == '':
            j -= 1
        mark = MARK.match(lines[j].strip()) if j >= 0 else None
        end = i + 1
        while end < len(lines) and lines[end].strip() != fence.group(1):
            end += 1
        if end == len(lines):
            sys.exit(f'{page}:{i + 1}: a code block that is never closed')
        kind = path = None
        if mark:
            kind = 'compiled' if mark.group(1) == 'compiled' else 'verbatim'
            path = mark.group(2)
        yield i + 2, fence.group(2), kind, path, lines[i + 1:end]
        i = end + 1


def dedent(lines):
    return textwrap.dedent('\n'.join(lines)).split('\n')


def found_in(code, path):
    with open(path, encoding='utf-8') as f:
        source = f.read().split('\n')
    wanted = dedent(code)
    for start in range(len(source) - len(wanted) + 1):
        if dedent(source[start:start + len(wanted)]) == wanted:
            return True
    return False


def extract(page, output):
    parts = [f'/* Generated from {os.path.basename(page)} by doc-snippets.py: do not edit. */\n']
    for first, language, kind, _, code in blocks(page):
        if kind == 'compiled':
            if language != 'c':
                sys.exit(f'{page}:{first - 1}: only C blocks can be compiled')
            parts.append(f'#line {first} "{page}"\n' + '\n'.join(code) + '\n')
    with open(output, 'w', encoding='utf-8') as f:
        f.write('\n'.join(parts))


def check(page, root):
    results = []
    for first, language, kind, path, code in blocks(page):
        where = f'{os.path.basename(page)}:{first - 1}'
        if kind is None:
            results.append((False, f'{where} ({language or "text"}) is marked',
                            'no <!-- compiled --> or <!-- verbatim: PATH --> before it'))
        elif kind == 'compiled':
            results.append((True, f'{where} is compiled by the test suite', None))
        else:
            full = os.path.join(root, path)
            ok = os.path.exists(full) and found_in(code, full)
            results.append((ok, f'{where} is found in {path}',
                            None if ok else 'not found there, line for line'))
    print(f'1..{len(results)}')
    for n, (ok, name, why) in enumerate(results, 1):
        print(f'{"ok" if ok else "not ok"} {n} {name}')
        if why:
            print(f'# {why}')
    return 0 if all(ok for ok, _, _ in results) else 1


if __name__ == '__main__':
    if len(sys.argv) != 4 or sys.argv[1] not in ('extract', 'check'):
        sys.exit(__doc__ or 'usage: doc-snippets.py extract|check PAGE.md OUTPUT.c|SOURCE_ROOT')
    if sys.argv[1] == 'extract':
        extract(sys.argv[2], sys.argv[3])
    else:
        sys.exit(check(sys.argv[2], sys.argv[3]))
