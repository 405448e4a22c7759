#!/usr/bin/env python3
# The run's error speaks the user's language.
#
# The catalogs come from the build tree (ATEXIT_LOCALEDIR). When the machine
# lacks the locales, they are compiled with localedef into a temporary LOCPATH.
#
# Copyright 2026 The atexit-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import locale
import os
import shutil
import subprocess
import tempfile
import unittest

import gi

gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('Atexit', '1.0')
from gi.repository import Atexit, Gio, GLib  # noqa: E402

NBSP = '\u00a0'
LOCALES = {'fr': 'fr_FR.UTF-8', 'de': 'de_DE.UTF-8'}


def have_locale(name):
    saved = locale.setlocale(locale.LC_ALL)
    try:
        locale.setlocale(locale.LC_ALL, name)
        return True
    except locale.Error:
        return False
    finally:
        locale.setlocale(locale.LC_ALL, saved)


def setUpModule():
    global locpath
    locpath = None
    missing = [name for name in LOCALES.values() if not have_locale(name)]
    if not missing:
        return
    localedef = shutil.which('localedef')
    if localedef is None:
        raise unittest.SkipTest('no localedef to compile ' + ', '.join(missing))
    locpath = tempfile.mkdtemp(prefix='atexit-locales-')
    for name in missing:
        source = name.split('.')[0]
        proc = subprocess.run([localedef, '-i', source, '-f', 'UTF-8',
                               os.path.join(locpath, name)],
                              capture_output=True, text=True)
        if not os.path.isdir(os.path.join(locpath, name)):
            raise unittest.SkipTest('cannot compile %s: %s' % (name, proc.stderr))
    # glibc reads LOCPATH whenever setlocale() loads a locale.
    os.environ['LOCPATH'] = locpath


def tearDownModule():
    locale.setlocale(locale.LC_ALL, 'C')
    if locpath is not None:
        shutil.rmtree(locpath, ignore_errors=True)


def failing(message):
    def cleanup(finalizer, task):
        task.return_error(GLib.Error.new_literal(Gio.io_error_quark(), message,
                                                 Gio.IOErrorEnum.FAILED))
    return cleanup


class TestTranslations(unittest.TestCase):
    def setUp(self):
        self.assertIn('ATEXIT_LOCALEDIR', os.environ)
        os.environ.pop('LANGUAGE', None)
        self.context = GLib.MainContext.new()
        self.finalizer = Atexit.LoopFinalizer.get_for_context(self.context)

    def tearDown(self):
        locale.setlocale(locale.LC_ALL, 'C')

    def run_and_get_error(self):
        with self.assertRaises(GLib.Error) as cm:
            self.finalizer.run(None)
        return cm.exception

    def test_french_failure(self):
        locale.setlocale(locale.LC_ALL, LOCALES['fr'])
        self.finalizer.add_async_full('vider-le-journal', 0, failing('disque plein'))
        error = self.run_and_get_error()
        self.assertTrue(error.matches(Atexit.error_quark(), Atexit.Error.FAILED))
        self.assertEqual(error.message,
                         f'1 nettoyage n’a pas réussi{NBSP}: '
                         f'Le nettoyage «{NBSP}vider-le-journal{NBSP}» '
                         f'a échoué{NBSP}: disque plein')

    def test_french_plural(self):
        locale.setlocale(locale.LC_ALL, LOCALES['fr'])
        self.finalizer.add_async_full('a', 0, failing('x'))
        self.finalizer.add_async_full('b', 0, failing('y'))
        error = self.run_and_get_error()
        self.assertTrue(error.message.startswith(f'2 nettoyages n’ont pas réussi{NBSP}: '),
                        error.message)

    def test_french_dropped_task(self):
        locale.setlocale(locale.LC_ALL, LOCALES['fr'])
        self.finalizer.add_async_full('oublieux', 0, lambda f, t: None)
        error = self.run_and_get_error()
        self.assertIn(f'Le nettoyage «{NBSP}oublieux{NBSP}» '
                      'a libéré sa tâche sans la terminer',
                      error.message)

    def test_german_failure(self):
        locale.setlocale(locale.LC_ALL, LOCALES['de'])
        self.finalizer.add_async_full('journal', 0, failing('Platte voll'))
        error = self.run_and_get_error()
        self.assertEqual(error.message,
                         '1 Aufräumfunktion war nicht erfolgreich: '
                         'Aufräumfunktion „journal“ ist fehlgeschlagen: Platte voll')

    def test_c_locale_is_english(self):
        locale.setlocale(locale.LC_ALL, 'C.UTF-8')
        self.finalizer.add_async_full('journal', 0, failing('disk full'))
        error = self.run_and_get_error()
        self.assertEqual(error.message,
                         '1 cleanup did not succeed: Cleanup “journal” failed: disk full')


if __name__ == '__main__':
    unittest.main(verbosity=2)
