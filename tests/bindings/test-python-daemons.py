#!/usr/bin/env python3
# The completion helpers and the signal integration from Python.
#
# Copyright 2026 The atexit-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import gc
import os
import signal
import threading
import unittest

import gi

gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('Atexit', '1.0')
from gi.repository import Atexit, Gio, GLib  # noqa: E402


def idle_in(context, func):
    """Calls func once from the main loop of context."""
    source = GLib.idle_source_new()

    def cb(*args):
        func()
        return GLib.SOURCE_REMOVE

    source.set_callback(cb)
    source.attach(context)


class TestTaskHelpers(unittest.TestCase):
    def setUp(self):
        self.context = GLib.MainContext.new()
        self.finalizer = Atexit.LoopFinalizer.get_for_context(self.context)

    def tearDown(self):
        self.assertEqual(self.finalizer.props.pending, 0)
        del self.finalizer
        del self.context
        gc.collect()

    def test_return_on_signal(self):
        closing = Gio.Cancellable()

        def cleanup(finalizer, task):
            Atexit.task_return_on_signal(task, closing, 'cancelled')
            idle_in(self.context, closing.cancel)

        self.finalizer.add_async_full('on signal', GLib.PRIORITY_DEFAULT, cleanup)
        self.assertTrue(self.finalizer.run(None))
        self.assertTrue(closing.is_cancelled())

    def test_return_when_set_by_a_thread(self):
        done = threading.Event()
        checks = []

        def predicate():
            checks.append(1)
            return done.is_set()

        def cleanup(finalizer, task):
            Atexit.task_return_when(task, predicate)
            threading.Thread(target=done.set).start()

        self.finalizer.add_async_full('when', GLib.PRIORITY_DEFAULT, cleanup)
        self.assertTrue(self.finalizer.run(None))
        self.assertTrue(done.is_set())
        self.assertGreaterEqual(len(checks), 1)

    def test_deadline_cancels_the_wait(self):
        self.finalizer.props.timeout = 20

        def cleanup(finalizer, task):
            Atexit.task_return_when(task, lambda: False)

        self.finalizer.add_async_full('never', GLib.PRIORITY_DEFAULT, cleanup)
        with self.assertRaises(GLib.Error) as raised:
            self.finalizer.run(None)
        self.assertIn('never', raised.exception.message)


class TestUnixSignals(unittest.TestCase):
    def test_signal_quits_the_loop_after_the_cleanups(self):
        finalizer = Atexit.LoopFinalizer.get_default()
        loop = GLib.MainLoop()
        calls = []

        finalizer.add_full('goodbye', GLib.PRIORITY_DEFAULT, lambda: calls.append('goodbye'))
        finalizer.install_unix_signals_full(loop, [signal.SIGUSR1])
        GLib.idle_add(lambda: os.kill(os.getpid(), signal.SIGUSR1))
        loop.run()

        self.assertEqual(calls, ['goodbye'])
        self.assertEqual(finalizer.get_unix_signal(), signal.SIGUSR1)
        finalizer.uninstall_unix_signals()
        self.assertEqual(finalizer.get_unix_signal(), 0)
        self.assertEqual(signal.getsignal(signal.SIGUSR1), signal.SIG_DFL)

    def test_method_with_the_default_signals(self):
        finalizer = Atexit.LoopFinalizer.get_default()
        loop = GLib.MainLoop()

        finalizer.install_unix_signals(loop)
        self.assertEqual(finalizer.get_unix_signal(), 0)
        finalizer.uninstall_unix_signals()


if __name__ == '__main__':
    unittest.main(verbosity=2)
