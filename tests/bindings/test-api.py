#!/usr/bin/env python3
# The 1.0 API from Python: constructing a finalizer or a group by its properties,
# the version, exit-action.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright 2026 The atexit-glib authors

import unittest

import gi

gi.require_version('GLib', '2.0')
gi.require_version('Atexit', '1.0')
from gi.repository import Atexit, GLib  # noqa: E402


class ConstructionTest(unittest.TestCase):
    def setUp(self):
        self.context = GLib.MainContext.new()
        self.context.push_thread_default()
        self.finalizer = Atexit.LoopFinalizer.get_for_context(self.context)

    def tearDown(self):
        self.context.pop_thread_default()

    def test_constructor_gives_the_contexts_finalizer(self):
        # Atexit.LoopFinalizer() is the default context's one, not an orphan.
        constructed = Atexit.LoopFinalizer()
        self.assertEqual(hash(constructed), hash(Atexit.LoopFinalizer.get_default()))
        with_context = Atexit.LoopFinalizer(context=self.context)
        self.assertEqual(hash(with_context), hash(self.finalizer))

        ran = []
        with_context.add(lambda *args: ran.append('a'))
        self.assertTrue(self.finalizer.run(None))
        self.assertEqual(ran, ['a'])

    def test_group_by_properties(self):
        group = Atexit.Group(parent=self.finalizer, name='plugin',
                             priority=GLib.PRIORITY_HIGH)
        self.assertEqual(group.props.name, 'plugin')
        self.assertEqual(group.props.priority, GLib.PRIORITY_HIGH)
        self.assertEqual(self.finalizer.props.pending, 1)

        ran = []
        group.get_finalizer().add(lambda *args: ran.append('in'))
        self.finalizer.add_full('host', GLib.PRIORITY_DEFAULT,
                                lambda *args: ran.append('host'))
        reports = []
        self.finalizer.connect('cleanup-finished',
                               lambda f, cleanup_id, name, prio, us, err: reports.append(name))
        self.assertTrue(self.finalizer.run(None))
        self.assertEqual(ran, ['in', 'host'])
        self.assertEqual(reports[0], 'plugin')

    def test_group_default_parent(self):
        group = Atexit.Group(name='no-parent')
        self.assertEqual(hash(group.props.parent),
                         hash(Atexit.LoopFinalizer.get_default()))
        group.run_dispose()

    def test_unregister_reaches_a_group(self):
        group = Atexit.Group(parent=self.finalizer, name='plugin')
        ran = []
        cleanup_id = group.get_finalizer().add(lambda *args: ran.append('x'))
        self.assertTrue(Atexit.unregister(cleanup_id))
        self.assertTrue(self.finalizer.run(None))
        self.assertEqual(ran, [])

    def test_cleanup_timeout_and_total_timeout(self):
        self.finalizer.props.total_timeout = 5000
        self.assertEqual(self.finalizer.get_total_timeout(), 5000)
        cleanup_id = self.finalizer.add(lambda *args: None)
        self.assertTrue(self.finalizer.set_cleanup_timeout(cleanup_id, 20000))
        self.assertTrue(self.finalizer.run(None))
        self.assertFalse(self.finalizer.set_cleanup_timeout(cleanup_id, 1))
        self.finalizer.props.total_timeout = 0


class VersionTest(unittest.TestCase):
    def test_version_names(self):
        version = '%d.%d.%d' % (Atexit.get_major_version(),
                                Atexit.get_minor_version(),
                                Atexit.get_micro_version())
        self.assertEqual(Atexit.VERSION_STRING, version)
        self.assertEqual(Atexit.__version__, version)
        self.assertEqual(Atexit.MAJOR_VERSION, Atexit.get_major_version())
        self.assertTrue(Atexit.check_version(1, 0, 0))
        self.assertFalse(Atexit.check_version(2, 0, 0))

    def test_exit_action_enum(self):
        finalizer = Atexit.LoopFinalizer.get_default()
        self.assertEqual(finalizer.props.exit_action, Atexit.ExitAction.WARN)
        finalizer.props.exit_action = Atexit.ExitAction.NONE
        self.assertEqual(finalizer.get_exit_action(), Atexit.ExitAction.NONE)
        finalizer.set_exit_action(Atexit.ExitAction.WARN)


if __name__ == '__main__':
    unittest.main()
