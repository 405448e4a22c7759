#!/usr/bin/env python3
# A project outside the tree (project/) builds against atexit-glib and runs.
#
#   run-consumer.py subproject --source-root DIR --build-root DIR [--vala] [--python PY]
#   run-consumer.py installed  --source-root DIR --build-root DIR [--vala] [--python PY]
#   run-consumer.py flatpak    --source-root DIR --build-root DIR [--vala] [--python PY]
#
# subproject: the consumer is copied into a temporary folder whose subprojects/atexit-glib
#   is a link to the source tree; dependency('atexit-glib-1.0') is forced to fall back to
#   it, and so finds what lib/meson.build gives meson.override_dependency().
# installed: `meson install --destdir` of the build tree into a temporary folder; the
#   consumer finds it with PKG_CONFIG_PATH (its .pc relocated to the folder, as
#   pkg-config --define-prefix would) and runs with LD_LIBRARY_PATH; the typelib and
#   the Python override are loaded from there too.
# flatpak: the module of docs/packaging.md (its first ```json block) is built the way
#   flatpak-builder builds a Meson module (--prefix=/app --libdir=lib, its config-opts)
#   and installed into a temporary folder; everything must land under /app, and the
#   consumer builds and runs against it.
#
# Each prints TAP.
#
# Copyright 2026 The atexit-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import argparse
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent / 'project'
CONSUMER_FILES = ['meson.build', 'meson_options.txt', 'consumer.c', 'consumer.vala']

n_tests = 0
n_failed = 0


def result(ok, description, details=''):
    global n_tests, n_failed
    n_tests += 1
    print(f'{"ok" if ok else "not ok"} {n_tests} - {description}')
    if not ok:
        n_failed += 1
        lines = details.rstrip().splitlines()
        for line in lines[-60:]:
            print('#   ' + line)
    sys.stdout.flush()
    return ok


def run(args, env=None, cwd=None):
    proc = subprocess.run([str(a) for a in args], env=env, cwd=cwd, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL)
    return proc.returncode == 0, f'$ {" ".join(str(a) for a in args)}\n{proc.stdout}{proc.stderr}'


def copy_consumer(where):
    where.mkdir(parents=True)
    for name in CONSUMER_FILES:
        shutil.copy(HERE / name, where / name)
    return where


def build_and_run(name, source, build, options, env, vala, run_env=None):
    """Configures, builds and runs the consumer; True if all went well."""
    ok, out = run(['meson', 'setup', build, source, *options,
                   '-Dvala=' + ('enabled' if vala else 'disabled')], env=env)
    if not result(ok, f'{name}: the consumer is configured', out):
        return False
    ok, out = run(['meson', 'compile', '-C', build], env=env)
    if not result(ok, f'{name}: the consumer builds', out):
        return False
    programs = ['consumer'] + (['consumer-vala'] if vala else [])
    all_ok = True
    for program in programs:
        ok, out = run([build / program], env=run_env or env)
        all_ok &= result(ok and 'the cleanup ran' in out, f'{name}: {program} runs', out)
    return all_ok


def relocate_pc(pc, root):
    """Points the prefix of a staged .pc at the folder it was staged in."""
    text = pc.read_text(encoding='utf-8')
    prefix = re.search(r'^prefix=(.*)$', text, re.M).group(1)
    pc.write_text(re.sub(r'^prefix=.*$', 'prefix=' + str(root) + prefix, text, count=1,
                         flags=re.M), encoding='utf-8')
    return prefix


def staged_env(dest, pc, prefix):
    """The environment of a consumer of the copy staged in @dest."""
    env = dict(os.environ)
    libdir = pc.parent.parent
    env['PKG_CONFIG_PATH'] = str(pc.parent)
    env['LD_LIBRARY_PATH'] = os.pathsep.join([str(libdir)] + [p for p in [
        os.environ.get('LD_LIBRARY_PATH')] if p])
    # valac looks for package.vapi in $XDG_DATA_DIRS/vala/vapi.
    env['XDG_DATA_DIRS'] = os.pathsep.join([str(dest) + prefix + '/share',
                                            os.environ.get('XDG_DATA_DIRS',
                                                           '/usr/local/share:/usr/share')])
    return env


def check_python(name, python, dest, prefix, libdir, env):
    """The staged typelib and override load, in a Python that sees only them."""
    typelibs = list(dest.glob('**/girepository-1.0/Atexit-1.0.typelib'))
    overrides = list(dest.glob('**/gi/overrides/Atexit.py'))
    if not result(bool(typelibs) and bool(overrides),
                  f'{name}: the typelib and the Python override are installed',
                  f'typelib: {typelibs}\noverride: {overrides}'):
        return
    env = dict(env)
    env['GI_TYPELIB_PATH'] = str(typelibs[0].parent)
    env['PYTHONPATH'] = str(overrides[0].parent.parent.parent)
    code = ('import gi; gi.require_version("Atexit", "1.0"); from gi.repository import Atexit; '
            'import sys; f = Atexit.LoopFinalizer.get_default(); ran = []; '
            'f.add(lambda: ran.append(1)); f.run(None); '
            'sys.exit(0 if ran and Atexit.__version__ else 1)')
    ok, out = run([python, '-c', code], env=env)
    result(ok, f'{name}: Python loads the typelib and the override from there', out)


def subproject(args, tmp):
    source = copy_consumer(tmp / 'consumer')
    (source / 'subprojects').mkdir()
    (source / 'subprojects' / 'atexit-glib').symlink_to(args.source_root)
    options = ['--force-fallback-for=atexit-glib-1.0',
               '-Datexit-glib:tests=false', '-Datexit-glib:examples=false',
               '-Datexit-glib:docs=false']
    if not args.vala:
        options += ['-Datexit-glib:vapi=disabled']
    build_and_run('subproject', source, tmp / 'build', options, dict(os.environ), args.vala)


def installed(args, tmp):
    dest = tmp / 'dest'
    ok, out = run(['meson', 'install', '-C', args.build_root, '--no-rebuild', '--quiet',
                   '--destdir', dest])
    if not result(ok, 'installed: meson install --destdir', out):
        return
    pcs = list(dest.glob('**/pkgconfig/atexit-glib-1.0.pc'))
    if not result(len(pcs) == 1, 'installed: one atexit-glib-1.0.pc', str(pcs)):
        return
    prefix = relocate_pc(pcs[0], dest)
    env = staged_env(dest, pcs[0], prefix)
    headers = list(dest.glob('**/include/atexit-glib-1.0/atexit-glib.h'))
    result(bool(headers), 'installed: the umbrella header is under include/atexit-glib-1.0')
    build_and_run('installed', copy_consumer(tmp / 'consumer'), tmp / 'build',
                  ['--wrap-mode=nofallback'], env, args.vala)
    if args.python:
        check_python('installed', args.python, dest, prefix, pcs[0].parent.parent, env)


def flatpak_module(source_root):
    """The Meson module for atexit-glib in docs/packaging.md."""
    text = (source_root / 'docs' / 'packaging.md').read_text(encoding='utf-8')
    for block in re.findall(r'^```json\n(.*?)^```', text, re.M | re.S):
        module = json.loads(block)
        if module.get('buildsystem') == 'meson' and module.get('name') == 'atexit-glib':
            return module
    return None


def flatpak(args, tmp):
    module = flatpak_module(args.source_root)
    if not result(module is not None, 'flatpak: docs/packaging.md has the module'):
        return
    build = tmp / 'build-app'
    dest = tmp / 'dest'
    options = ['--prefix=/app', '--libdir=lib', '--buildtype=release',
               *module.get('config-opts', [])]
    ok, out = run(['meson', 'setup', build, args.source_root, *options])
    if not result(ok, 'flatpak: the module is configured with its config-opts', out):
        return
    ok, out = run(['meson', 'compile', '-C', build])
    if not result(ok, 'flatpak: the module builds', out):
        return
    ok, out = run(['meson', 'install', '-C', build, '--no-rebuild', '--quiet', '--destdir', dest])
    if not result(ok, 'flatpak: the module installs', out):
        return
    files = [p for p in dest.rglob('*') if not p.is_dir()]
    outside = [str(p.relative_to(dest)) for p in files if p.relative_to(dest).parts[0] != 'app']
    result(files and not outside, 'flatpak: everything is installed under /app',
           'outside /app:\n' + '\n'.join(outside))
    pcs = list((dest / 'app' / 'lib' / 'pkgconfig').glob('atexit-glib-1.0.pc'))
    if not result(len(pcs) == 1, 'flatpak: /app/lib/pkgconfig/atexit-glib-1.0.pc'):
        return
    prefix = relocate_pc(pcs[0], dest)
    env = staged_env(dest, pcs[0], prefix)
    build_and_run('flatpak', copy_consumer(tmp / 'consumer'), tmp / 'build',
                  ['--wrap-mode=nofallback'], env, args.vala)
    if args.python:
        check_python('flatpak', args.python, dest, prefix, pcs[0].parent.parent, env)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('mode', choices=['subproject', 'installed', 'flatpak'])
    parser.add_argument('--source-root', required=True, type=pathlib.Path)
    parser.add_argument('--build-root', required=True, type=pathlib.Path)
    parser.add_argument('--vala', action='store_true', help='build the Vala consumer too')
    parser.add_argument('--python', help='a Python with PyGObject, to load the typelib')
    args = parser.parse_args()
    args.source_root = args.source_root.resolve()
    args.build_root = args.build_root.resolve()

    with tempfile.TemporaryDirectory(prefix=f'atexit-consumer-{args.mode}-') as tmp:
        {'subproject': subproject, 'installed': installed, 'flatpak': flatpak}[args.mode](
            args, pathlib.Path(tmp))

    print(f'1..{n_tests}')
    return 1 if n_failed or n_tests == 0 else 0


if __name__ == '__main__':
    sys.exit(main())
