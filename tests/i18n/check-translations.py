#!/usr/bin/env python3
# The translations are complete against the current sources.
#
# Extracts the messages of the files in po/POTFILES.in into a temporary .pot (as
# `meson compile atexit-glib-pot` does, with the keywords of meson's "glib" preset),
# merges each language of po/LINGUAS against it into a temporary .po, and fails on
# any message untranslated or fuzzy there, on a catalog msgfmt --check refuses, and
# on a source file with messages that po/POTFILES.in does not list.
#
#   check-translations.py SOURCE_ROOT        (TAP on stdout)
#
# Copyright 2026 The atexit-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import pathlib
import re
import subprocess
import sys
import tempfile

# meson's i18n.gettext(preset: 'glib'): GLib's gettext macros and printf-like functions.
XGETTEXT_ARGS = [
    '--from-code=UTF-8', '--add-comments',
    '--keyword=_', '--keyword=N_', '--keyword=C_:1c,2', '--keyword=NC_:1c,2',
    '--keyword=g_dcgettext:2', '--keyword=g_dngettext:2,3', '--keyword=g_dpgettext2:2c,3',
    '--flag=N_:1:pass-c-format', '--flag=C_:2:pass-c-format', '--flag=NC_:2:pass-c-format',
    '--flag=g_dngettext:2:pass-c-format', '--flag=g_strdup_printf:1:c-format',
    '--flag=g_string_printf:2:c-format', '--flag=g_string_append_printf:2:c-format',
    '--flag=g_error_new:3:c-format', '--flag=g_set_error:4:c-format',
    '--flag=g_markup_printf_escaped:1:c-format', '--flag=g_log:3:c-format',
    '--flag=g_print:1:c-format', '--flag=g_printerr:1:c-format',
    '--flag=g_printf:1:c-format', '--flag=g_fprintf:2:c-format',
    '--flag=g_sprintf:2:c-format', '--flag=g_snprintf:3:c-format',
]

# Where translatable messages may live: the library's C sources.
SOURCE_GLOBS = ['lib/*.c', 'lib/*.h']

n_tests = 0
failed = False


def result(ok, description, details=''):
    global n_tests, failed
    n_tests += 1
    print(('ok' if ok else 'not ok') + f' {n_tests} - {description}')
    for line in details.splitlines():
        print('# ' + line)
    if not ok:
        failed = True


def run(args, **kwargs):
    return subprocess.run(args, capture_output=True, text=True, **kwargs)


def read_list(path):
    lines = (line.strip() for line in path.read_text(encoding='utf-8').splitlines())
    return [line for line in lines if line and not line.startswith('#')]


def msgids(po):
    """The msgids of a catalog, one line each."""
    return re.findall(r'^msgid "(.*)"\n((?:".*"\n)*)', po, re.M)


def describe(po):
    ids = []
    for first, rest in msgids(po):
        text = first + ''.join(re.findall(r'"(.*)"', rest))
        if text:
            ids.append(text)
    return '\n'.join('  ' + text for text in ids)


def referenced_files(pot):
    files = set()
    for line in pot.splitlines():
        if line.startswith('#: '):
            files.update(re.sub(r':\d+$', '', ref) for ref in line[3:].split())
    return files


def main():
    root = pathlib.Path(sys.argv[1]).resolve()
    po_dir = root / 'po'
    potfiles = read_list(po_dir / 'POTFILES.in')
    languages = read_list(po_dir / 'LINGUAS')

    with tempfile.TemporaryDirectory(prefix='atexit-i18n-') as tmp:
        tmp = pathlib.Path(tmp)

        # Which files have messages, listed or not.
        sources = sorted({str(p.relative_to(root)) for pattern in SOURCE_GLOBS
                          for p in root.glob(pattern)})
        every = tmp / 'every.pot'
        proc = run(['xgettext', *XGETTEXT_ARGS, '--directory', str(root),
                    '--output', str(every), *sources])
        if proc.returncode != 0:
            print('Bail out! xgettext failed: ' + proc.stderr.strip())
            return 1
        with_messages = set()
        if every.exists():  # xgettext writes nothing when there is no message
            with_messages = referenced_files(every.read_text(encoding='utf-8'))
        unlisted = sorted(with_messages - set(potfiles))
        missing = sorted(f for f in potfiles if not (root / f).exists())
        stale = sorted(f for f in potfiles if (root / f).exists() and f not in with_messages)
        result(not unlisted and not missing and not stale,
               'po/POTFILES.in lists exactly the files with messages',
               ''.join([f'not listed, has messages: {f}\n' for f in unlisted] +
                       [f'listed, does not exist: {f}\n' for f in missing] +
                       [f'listed, has no messages: {f}\n' for f in stale]))

        pot = tmp / 'atexit-glib.pot'
        proc = run(['xgettext', *XGETTEXT_ARGS, '--package-name=atexit-glib',
                    '--directory', str(root), '--files-from', str(po_dir / 'POTFILES.in'),
                    '--output', str(pot)])
        if proc.returncode != 0 or not pot.exists():
            print('Bail out! xgettext failed: ' + proc.stderr.strip())
            return 1
        n_messages = len(msgids(pot.read_text(encoding='utf-8'))) - 1
        result(n_messages > 0, f'the sources have {n_messages} messages')

        for language in languages:
            source = po_dir / f'{language}.po'
            merged = tmp / f'{language}.po'
            proc = run(['msgmerge', '--quiet', '--output-file', str(merged),
                        str(source), str(pot)])
            if proc.returncode != 0:
                result(False, f'{language}: msgmerge', proc.stderr)
                continue
            untranslated = run(['msgattrib', '--untranslated', '--no-obsolete', str(merged)])
            fuzzy = run(['msgattrib', '--only-fuzzy', '--no-obsolete', str(merged)])
            checked = run(['msgfmt', '--check', '--statistics', '--output-file', '/dev/null',
                           str(merged)], env={'LC_ALL': 'C', 'PATH': '/usr/bin:/bin'})
            result(untranslated.returncode == 0 and not describe(untranslated.stdout),
                   f'{language}: every message is translated',
                   describe(untranslated.stdout))
            result(fuzzy.returncode == 0 and not describe(fuzzy.stdout),
                   f'{language}: no translation is fuzzy', describe(fuzzy.stdout))
            result(checked.returncode == 0, f'{language}: msgfmt --check accepts it',
                   (checked.stderr or checked.stdout).strip())

    print(f'1..{n_tests}')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
