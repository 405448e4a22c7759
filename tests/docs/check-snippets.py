#!/usr/bin/env python3
# Every C, Python and JavaScript block of the Markdown pages is code that works.
#
#   check-snippets.py --source-root DIR --build-root DIR [--cc CC] [--python PY]
#                     [--gjs GJS] [--verbose] [FILE.md...]            (TAP on stdout)
#
# Without FILE arguments it reads README.md, the other *.md files at the top of the
# source tree and docs/*.md, as they are when it runs. Each fenced block whose info
# string is c, python (py) or js (javascript) is checked by its kind, which an HTML
# comment right before the fence may set (blank lines may come between):
#
#   <!-- snippet: run -->            C: compiled with the library's flags (pkg-config
#                                    atexit-glib-1.0 of the build tree, -Wall -Wextra
#                                    -Werror), linked and run; Python: run with the
#                                    built typelib and override; JS: run with gjs -m.
#                                    It must exit with 0 within 60 seconds, and print
#                                    no GLib warning or critical and no exception
#                                    (`run warns` allows warnings). The default, except
#                                    for C without a main().
#   <!-- snippet: compile -->        C: compiled as a file of its own, not linked (the
#                                    default for C without a main()); Python: compiled;
#                                    JS: parsed as a module.
#   <!-- snippet: fragment -->       C: statements, compiled as the body of a function
#                                    that returns int (`return;` is allowed too);
#                                    Python and JS: as compile.
#   <!-- snippet: part -->           the first part of a program that the next block
#                                    of the same language continues: checked with it,
#                                    not alone.
#   <!-- snippet: from FILE -->      copied from FILE (under examples/ or
#                                    tests/consumer/, which tests build and run): its
#                                    lines must be found there, in order and together.
#                                    Blocks of Meson code are checked this way only.
#   <!-- snippet: skip REASON -->    not checked; the reason is required and reported.
#
# The lines of a marker after its first one are code put before the block (declarations
# a fragment needs, say); for a fragment, inside the function, but for preprocessor
# lines (#include), which go before it:
#
#   <!-- snippet: fragment
#   GSocketConnection *connection = NULL;
#   -->
#
# A C block with no #include of its own gets #include <atexit-glib.h> first, as its
# reader assumes; one with includes is taken as printed.
#
# Copyright 2026 The atexit-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import argparse
import os
import pathlib
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

LANGUAGES = {'c': 'c', 'python': 'python', 'py': 'python', 'js': 'js', 'javascript': 'js',
             'meson': 'meson'}
# Blocks of these languages are checked only when marked `from FILE`.
FROM_ONLY = {'meson'}
# Where the files that blocks are copied from live: each is built and run by a test.
FROM_DIRS = ('examples', 'tests/consumer')
KINDS = ('run', 'compile', 'fragment', 'part', 'from', 'skip')
RUN_TIMEOUT = 60
MAX_DETAILS = 40
C_WARNINGS = ['-Wall', '-Wextra', '-Werror', '-Wno-unused-parameter', '-Wno-unused-function',
              '-Wno-unused-variable', '-Wno-unused-but-set-variable']
FENCE = re.compile(r'^( {0,3})(```+|~~~+)\s*([A-Za-z0-9_+-]*)[^\n]*$')
MARKER = re.compile(r'<!--\s*snippet:\s*(.*?)\s*-->', re.S)
# The markers of docs/daemons.md, which tests/integration/doc-snippets.py checks: a
# "verbatim" block is a copy of a file; a "compiled" one is built into
# tests/integration/daemons-doc.c and run there.
VERBATIM = re.compile(r'<!--\s*verbatim:\s*(\S+)\s*-->')
COMPILED = re.compile(r'<!--\s*compiled\s*-->')
# What a run must not print: GLib's warnings and criticals, an exception.
PROBLEMS = re.compile(r'-(WARNING|CRITICAL) \*\*|^Traceback |^Exception ignored|JS ERROR|'
                      r'RuntimeWarning', re.M)
HINT = ('Mark the block with <!-- snippet: fragment -->, compile, part, skip REASON or '
        'from FILE if it is not meant to work as printed (tests/docs/check-snippets.py).')


class Block:
    def __init__(self, path, line, language, code, kind, argument, prelude):
        self.path = path
        self.line = line
        self.language = language
        self.code = code
        self.kind = kind
        self.argument = argument
        self.prelude = prelude

    def where(self, root):
        try:
            name = self.path.relative_to(root)
        except ValueError:
            name = self.path
        return f'{name}:{self.line}'


def parse_marker(text):
    """(kind, argument, prelude) of the text of a marker comment."""
    first, _, rest = text.partition('\n')
    words = first.split(None, 1)
    kind = words[0] if words else ''
    argument = words[1].strip() if len(words) > 1 else ''
    return kind, argument, rest


def find_blocks(path):
    lines = path.read_text(encoding='utf-8').split('\n')
    blocks = []
    i = 0
    pending = None  # the marker seen since the last non-blank line
    while i < len(lines):
        line = lines[i]
        fence = FENCE.match(line)
        if not fence:
            stripped = line.strip()
            if stripped.startswith('<!--'):
                # A marker may span lines.
                j = i
                text = line
                while '-->' not in text and j + 1 < len(lines):
                    j += 1
                    text += '\n' + lines[j]
                marker = MARKER.search(text)
                verbatim = VERBATIM.search(text)
                if marker:
                    pending = parse_marker(marker.group(1))
                elif verbatim:
                    pending = ('skip', 'checked against %s by tests/integration/doc-snippets.py'
                               % verbatim.group(1), '')
                elif COMPILED.search(text):
                    pending = ('skip', 'built and run by tests/integration/daemons-doc.c', '')
                else:
                    pending = None
                i = j + 1
                continue
            if stripped:
                pending = None
            i += 1
            continue

        indent, ticks, info = fence.group(1), fence.group(2), fence.group(3).lower()
        start = i + 1
        j = start
        while j < len(lines) and not re.match(r'^ {0,3}' + re.escape(ticks[0]) + '{' +
                                              str(len(ticks)) + r',}\s*$', lines[j]):
            j += 1
        body = [l[len(indent):] if l.startswith(indent) else l.lstrip() for l in lines[start:j]]
        if info in LANGUAGES:
            kind, argument, prelude = pending if pending else ('', '', '')
            blocks.append(Block(path, i + 1, LANGUAGES[info], '\n'.join(body) + '\n',
                                kind, argument, prelude))
        pending = None
        i = j + 1
    return blocks


class Checker:
    def __init__(self, args):
        self.root = pathlib.Path(args.source_root).resolve()
        self.build = pathlib.Path(args.build_root).resolve()
        self.cc = shlex.split(args.cc) if args.cc else ['cc']
        self.python = args.python
        self.gjs = args.gjs
        self.verbose = args.verbose
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix='atexit-snippets-'))
        self.count = 0
        self.failed = 0
        self.env = dict(os.environ)
        self.env['PKG_CONFIG_PATH'] = os.pathsep.join(
            [str(self.build / 'meson-uninstalled')] +
            [p for p in [os.environ.get('PKG_CONFIG_PATH')] if p])
        for name, value in (('GI_TYPELIB_PATH', self.build / 'lib'),
                            ('LD_LIBRARY_PATH', self.build / 'lib'),
                            ('PYTHONPATH', self.root / 'bindings' / 'python')):
            self.env[name] = os.pathsep.join([str(value)] +
                                             [p for p in [os.environ.get(name)] if p])
        self.env.setdefault('ATEXIT_LOCALEDIR', str(self.build / 'po'))
        self.env['PYTHONDONTWRITEBYTECODE'] = '1'
        self._flags = None

    # --- reporting -----------------------------------------------------------

    def report(self, ok, block, what, details='', skip=None):
        self.count += 1
        description = f'{block.where(self.root)} {block.language}: {what}'
        if skip is not None:
            print(f'ok {self.count} - {description} # SKIP {skip}')
            return
        print(f'{"ok" if ok else "not ok"} {self.count} - {description}')
        if not ok:
            self.failed += 1
            lines = details.rstrip().splitlines()
            if len(lines) > MAX_DETAILS:
                lines = lines[:MAX_DETAILS] + [f'… ({len(lines) - MAX_DETAILS} more lines)']
            for line in lines + [HINT]:
                print('#   ' + line)
        elif self.verbose and details.strip():
            for line in details.rstrip().splitlines():
                print('#   ' + line)
        sys.stdout.flush()

    # --- tools ---------------------------------------------------------------

    def run(self, args, cwd=None, timeout=RUN_TIMEOUT):
        try:
            proc = subprocess.run(args, cwd=cwd or self.tmp, env=self.env, timeout=timeout,
                                  stdin=subprocess.DEVNULL, capture_output=True, text=True)
        except subprocess.TimeoutExpired as e:
            out = (e.stdout or b'').decode() if isinstance(e.stdout, bytes) else (e.stdout or '')
            return False, f'still running after {timeout} s\n{out}'
        return proc.returncode == 0, (f'exit status {proc.returncode}\n'
                                      if proc.returncode != 0 else '') + proc.stdout + proc.stderr

    def flags(self):
        if self._flags is None:
            proc = subprocess.run(['pkg-config', '--cflags', '--libs', 'atexit-glib-1.0'],
                                  env=self.env, capture_output=True, text=True)
            if proc.returncode != 0:
                raise RuntimeError('pkg-config atexit-glib-1.0: ' + proc.stderr)
            self._flags = shlex.split(proc.stdout) + ['-Wl,-rpath,' + str(self.build / 'lib')]
        return self._flags

    # --- the languages -------------------------------------------------------

    def c_source(self, block, code, fragment):
        prelude = block.prelude
        if fragment:
            # Preprocessor lines of the prelude stay outside the function. It returns
            # int, so that `return status;` and `return;` both compile.
            lines = prelude.split('\n')
            outside = '\n'.join(l for l in lines if l.lstrip().startswith('#'))
            inside = '\n'.join(l for l in lines if not l.lstrip().startswith('#'))
            source = (outside + '\nint snippet (void);\n\nint\nsnippet (void)\n{\n' +
                      inside + '\n' + code + '}\n')
        else:
            source = prelude + '\n' + code
        if not re.search(r'^\s*#\s*include', code, re.M):
            source = '#include <atexit-glib.h>\n\n' + source
        return source

    def check_c(self, block, code, kind):
        path = self.tmp / f'snippet-{self.count + 1}.c'
        has_main = re.search(r'^\s*int\s*\n?\s*main\s*\(', code, re.M) is not None
        if kind == '':
            kind = 'run' if has_main else 'compile'
        path.write_text(self.c_source(block, code, kind == 'fragment'), encoding='utf-8')
        if kind in ('compile', 'fragment'):
            warnings = C_WARNINGS + (['-Wno-return-type'] if kind == 'fragment' else [])
            ok, out = self.run(self.cc + ['-std=gnu11', *warnings, '-c', str(path), '-o',
                                          str(path.with_suffix('.o')), *self.flags()])
            return ok, kind, out
        if not has_main:
            return False, kind, 'a C block to run needs a main()'
        exe = path.with_suffix('')
        ok, out = self.run(self.cc + ['-std=gnu11', *C_WARNINGS, str(path), '-o', str(exe),
                                      *self.flags()])
        if not ok:
            return False, kind, out
        ok, out = self.run([str(exe)])
        return self.ran_cleanly(block, ok, out), kind, out

    def ran_cleanly(self, block, ok, out):
        """A run that exits with 0 but logs a warning, a critical or an exception did
        not work either, unless the marker says `run warns`."""
        if ok and block.argument != 'warns' and PROBLEMS.search(out):
            return False
        return ok

    def check_python(self, block, code, kind):
        if self.python is None:
            return None, kind, 'no Python with PyGObject'
        path = self.tmp / f'snippet-{self.count + 1}.py'
        path.write_text(block.prelude + '\n' + code, encoding='utf-8')
        kind = kind or 'run'
        if kind in ('compile', 'fragment'):
            compile_only = 'import sys; compile(open(sys.argv[1]).read(), sys.argv[1], "exec")'
            ok, out = self.run([self.python, '-c', compile_only, str(path)])
            return ok, kind, out
        ok, out = self.run([self.python, str(path)])
        ok = self.ran_cleanly(block, ok, out)
        missing = re.search(r"ModuleNotFoundError: No module named '([^']+)'", out)
        if not ok and missing and not missing.group(1).startswith('gi'):
            return None, kind, f'needs the Python module {missing.group(1)}, not installed'
        return ok, kind, out

    def check_js(self, block, code, kind):
        if self.gjs is None:
            return None, kind, 'no gjs'
        path = self.tmp / f'snippet-{self.count + 1}.js'
        path.write_text(block.prelude + '\n' + code, encoding='utf-8')
        kind = kind or 'run'
        if kind in ('compile', 'fragment'):
            parse = ('const [, text] = imports.gi.GLib.file_get_contents(ARGV[0]);'
                     'Reflect.parse(new TextDecoder().decode(text), {target: "module"});')
            ok, out = self.run([self.gjs, '-c', parse, str(path)])
            return ok, kind, out
        ok, out = self.run([self.gjs, '-m', str(path)])
        # GJS reports an exception in a callback and goes on: that is a failure too.
        return self.ran_cleanly(block, ok, out), kind, out

    # --- kinds ---------------------------------------------------------------

    def check_from(self, block):
        name = block.argument
        path = (self.root / name).resolve()
        if (not name or not path.is_file() or
                not any(path.is_relative_to(self.root / d) for d in FROM_DIRS)):
            return False, f'from {name}', (f'“{name}” is not a file under ' +
                                           ', '.join(d + '/' for d in FROM_DIRS))
        wanted = [line.rstrip() for line in block.code.rstrip('\n').split('\n')]
        have = [line.rstrip() for line in path.read_text(encoding='utf-8').split('\n')]
        for start in range(len(have) - len(wanted) + 1):
            if have[start:start + len(wanted)] == wanted:
                return True, f'from {name}', ''
        # Say where it stops matching, from the best start.
        best, best_start = 0, 0
        for start in range(len(have)):
            n = 0
            while n < len(wanted) and start + n < len(have) and have[start + n] == wanted[n]:
                n += 1
            if n > best:
                best, best_start = n, start
        return False, f'from {name}', (f'line {best + 1} of the block is not in {name} '
                                       f'(after its line {best_start + best}):\n'
                                       f'  {wanted[best] if best < len(wanted) else ""}')

    def check(self, blocks):
        parts = {}  # (path, language) -> code of the parts before
        for block in blocks:
            key = (block.path, block.language)
            kind = block.kind
            if block.language in FROM_ONLY and kind != 'from':
                continue
            if kind not in ('',) + KINDS:
                self.report(False, block, f'unknown kind “{kind}”',
                            'kinds: ' + ', '.join(KINDS))
                continue
            if kind == 'skip':
                if not block.argument:
                    self.report(False, block, 'skip', 'a skipped block needs a reason')
                else:
                    self.report(True, block, 'skip', skip=block.argument)
                continue
            if kind == 'part':
                parts[key] = parts.get(key, '') + block.prelude + '\n' + block.code
                continue
            if kind == 'from':
                ok, what, out = self.check_from(block)
                self.report(ok, block, what, out)
                continue
            code = parts.pop(key, '') + block.code
            check = {'c': self.check_c, 'python': self.check_python, 'js': self.check_js}
            ok, kind, out = check[block.language](block, code, kind)
            if ok is None:
                self.report(True, block, kind, skip=out)
            else:
                self.report(ok, block, kind, out)
        for (path, language) in parts:
            self.count += 1
            self.failed += 1
            print(f'not ok {self.count} - {path}: a {language} part that no block continues')


def default_files(root):
    files = sorted(root.glob('*.md')) + sorted((root / 'docs').glob('*.md'))
    return [f for f in files if f.is_file()]


def main():
    parser = argparse.ArgumentParser(description='Check the code blocks of Markdown pages.')
    parser.add_argument('--source-root', required=True)
    parser.add_argument('--build-root', required=True)
    parser.add_argument('--cc', help='the C compiler command (default: cc)')
    parser.add_argument('--python', help='a Python with PyGObject (Python blocks are '
                        'skipped without it)')
    parser.add_argument('--gjs', help='gjs (JavaScript blocks are skipped without it)')
    parser.add_argument('--verbose', '-v', action='store_true',
                        help='show what the blocks that work print')
    parser.add_argument('files', nargs='*')
    args = parser.parse_args()

    checker = Checker(args)
    files = ([pathlib.Path(f).resolve() for f in args.files] if args.files
             else default_files(checker.root))
    blocks = []
    for path in files:
        blocks += find_blocks(path)
    try:
        checker.check(blocks)
    finally:
        shutil.rmtree(checker.tmp, ignore_errors=True)
    print(f'1..{checker.count}')
    if checker.failed:
        print(f'# {checker.failed} of {checker.count} blocks do not work as printed')
    return 1 if checker.failed else 0


if __name__ == '__main__':
    sys.exit(main())
