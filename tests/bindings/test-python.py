#!/usr/bin/env python3
# Atexit from Python through GObject Introspection.
#
# Copyright 2026 The atexit-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import gc
import os
import subprocess
import sys
import tempfile
import threading
import unittest
import weakref

import gi

gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('Atexit', '1.0')
from gi.repository import Atexit, Gio, GLib  # noqa: E402

HAS_ADD_OBJECT = hasattr(Atexit.LoopFinalizer, 'add_object')


def idle_in(context, func):
    """Calls func once from the main loop of context."""
    source = GLib.idle_source_new()

    def cb(*args):
        func()
        return GLib.SOURCE_REMOVE

    source.set_callback(cb)
    source.attach(context)


class FinalizerTestCase(unittest.TestCase):
    def setUp(self):
        # Each test gets its own context, hence its own finalizer.
        self.context = GLib.MainContext.new()
        self.finalizer = Atexit.LoopFinalizer.get_for_context(self.context)
        self.assertEqual(self.finalizer.get_context(), self.context)

    def tearDown(self):
        self.assertEqual(self.finalizer.props.pending, 0)
        del self.finalizer
        del self.context
        gc.collect()


class TestSync(FinalizerTestCase):
    def test_sync_cleanup_runs(self):
        calls = []
        self.finalizer.add(lambda: calls.append('a'))
        self.assertEqual(self.finalizer.props.pending, 1)
        self.assertTrue(self.finalizer.run(None))
        self.assertEqual(calls, ['a'])

    def test_lifo_within_group(self):
        calls = []
        for name in 'abc':
            self.finalizer.add_full(name, GLib.PRIORITY_DEFAULT,
                                         lambda n=name: calls.append(n))
        self.finalizer.run(None)
        self.assertEqual(calls, ['c', 'b', 'a'])

    def test_priorities(self):
        calls = []
        self.finalizer.add_full('low', GLib.PRIORITY_LOW, lambda: calls.append('low'))
        self.finalizer.add_full('high', GLib.PRIORITY_HIGH, lambda: calls.append('high'))
        self.finalizer.add_full('default', GLib.PRIORITY_DEFAULT,
                                     lambda: calls.append('default'))
        self.finalizer.run(None)
        self.assertEqual(calls, ['high', 'default', 'low'])

    def test_runs_once(self):
        calls = []
        self.finalizer.add(lambda: calls.append(1))
        self.finalizer.run(None)
        self.finalizer.run(None)
        self.assertEqual(calls, [1])

    def test_closure_released_after_run(self):
        class Marker:
            pass

        marker = Marker()
        ref = weakref.ref(marker)
        self.finalizer.add(lambda m=marker: None)
        del marker
        gc.collect()
        self.assertIsNotNone(ref())
        self.finalizer.run(None)
        gc.collect()
        self.assertIsNone(ref())


class TestAsync(FinalizerTestCase):
    def test_completed_later_in_the_context(self):
        calls = []

        def cleanup(finalizer, task):
            self.assertIs(finalizer, self.finalizer)
            calls.append('started')

            def done():
                calls.append('done')
                task.return_boolean(True)

            idle_in(self.context, done)

        self.finalizer.add_async(cleanup)
        self.assertTrue(self.finalizer.run(None))
        self.assertEqual(calls, ['started', 'done'])

    def test_completed_from_another_thread(self):
        threads = []

        def cleanup(finalizer, task):
            thread = threading.Thread(target=lambda: task.return_boolean(True))
            threads.append(thread)
            thread.start()

        self.finalizer.add_async_full('threaded', GLib.PRIORITY_DEFAULT, cleanup)
        self.assertTrue(self.finalizer.run(None))
        for thread in threads:
            thread.join()

    def test_async_group_finishes_before_next(self):
        calls = []
        tasks = []

        def first(finalizer, task):
            calls.append('first started')
            tasks.append(task)
            idle_in(self.context, lambda: (calls.append('first done'),
                                           tasks.pop().return_boolean(True)))

        self.finalizer.add_full('second', GLib.PRIORITY_LOW,
                                     lambda: calls.append('second'))
        self.finalizer.add_async_full('first', GLib.PRIORITY_HIGH, first)
        self.finalizer.run(None)
        self.assertEqual(calls, ['first started', 'first done', 'second'])

    def test_kept_task_does_not_hold_up_the_run(self):
        # Bindings may keep a returned task alive (until a garbage collector
        # runs): the group must end when the task is returned, not released.
        kept = []

        class Marker:
            pass

        marker = Marker()
        ref = weakref.ref(marker)

        def cleanup(finalizer, task, m=marker):
            kept.append(task)
            task.return_boolean(True)

        self.finalizer.props.timeout = 0  # no deadline to rescue a hung run
        self.finalizer.add_async(cleanup)
        del marker, cleanup
        self.assertTrue(self.finalizer.run(None))
        # The cleanup's data lives as long as its task, and not longer.
        gc.collect()
        self.assertIsNotNone(ref())
        kept.clear()
        gc.collect()
        self.assertIsNone(ref())

    def test_task_has_group_cancellable(self):
        seen = []

        def cleanup(finalizer, task):
            seen.append(task.get_cancellable())
            task.return_boolean(True)

        self.finalizer.add_async(cleanup)
        self.finalizer.run(None)
        self.assertIsInstance(seen[0], Gio.Cancellable)


class TestErrors(FinalizerTestCase):
    def test_error_from_python_appears_in_run_error(self):
        def failing(finalizer, task):
            task.return_error(GLib.Error.new_literal(Gio.io_error_quark(), 'disk full',
                                                     Gio.IOErrorEnum.NO_SPACE))

        calls = []
        self.finalizer.add_async_full('flush-journal', GLib.PRIORITY_DEFAULT, failing)
        self.finalizer.add(lambda: calls.append('other'))
        with self.assertRaises(GLib.Error) as cm:
            self.finalizer.run(None)
        error = cm.exception
        self.assertEqual(error.domain, 'atexit-error-quark')
        self.assertTrue(error.matches(Atexit.error_quark(), Atexit.Error.FAILED))
        self.assertIn('flush-journal', error.message)
        self.assertIn('disk full', error.message)
        # A failing cleanup never stops the others.
        self.assertEqual(calls, ['other'])

    def test_dropped_task_fails_at_once(self):
        self.finalizer.add_async_full('forgetful', GLib.PRIORITY_DEFAULT, lambda f, t: None)
        self.finalizer.props.timeout = 0  # the run must not need a deadline
        with self.assertRaises(GLib.Error) as cm:
            self.finalizer.run(None)
        self.assertTrue(cm.exception.matches(Atexit.error_quark(), Atexit.Error.FAILED))
        self.assertIn('forgetful', cm.exception.message)

    def test_cleanup_finished_signal(self):
        reports = []

        def on_finished(finalizer, cleanup_id, name, priority, duration_us, error):
            reports.append((name, priority, duration_us >= 0,
                            error.message if error is not None else None))

        def failing(finalizer, task):
            task.return_error(GLib.Error.new_literal(Gio.io_error_quark(), 'nope',
                                                     Gio.IOErrorEnum.FAILED))

        self.finalizer.connect('cleanup-finished', on_finished)
        self.finalizer.add_full('ok', 5, lambda: None)
        self.finalizer.add_async_full('bad', 10, failing)
        with self.assertRaises(GLib.Error):
            self.finalizer.run(None)
        self.assertEqual(reports, [('ok', 5, True, None), ('bad', 10, True, 'nope')])


class TestRegistration(FinalizerTestCase):
    def test_remove(self):
        calls = []
        cleanup_id = self.finalizer.add(lambda: calls.append('removed'))
        self.finalizer.add(lambda: calls.append('kept'))
        self.assertNotEqual(cleanup_id, 0)
        self.assertTrue(self.finalizer.remove(cleanup_id))
        self.assertFalse(self.finalizer.remove(cleanup_id))
        self.finalizer.run(None)
        self.assertEqual(calls, ['kept'])

    def test_remove_releases_closure(self):
        class Marker:
            pass

        marker = Marker()
        ref = weakref.ref(marker)
        cleanup_id = self.finalizer.add(lambda m=marker: None)
        del marker
        self.finalizer.remove(cleanup_id)
        gc.collect()
        self.assertIsNone(ref())

    def test_about_to_close_adds_cleanups(self):
        calls = []

        def about_to_close(finalizer):
            calls.append('signal')
            finalizer.add(lambda: calls.append('late'))

        self.finalizer.connect('about-to-close', about_to_close)
        self.finalizer.add(lambda: calls.append('early'))
        self.assertTrue(self.finalizer.run(None))
        # Added last, so it runs first in the same group.
        self.assertEqual(calls, ['signal', 'late', 'early'])

    def test_properties(self):
        self.assertEqual(self.finalizer.props.timeout, Atexit.DEFAULT_TIMEOUT)
        self.finalizer.props.timeout = 250
        self.assertEqual(self.finalizer.get_timeout(), 250)
        self.assertFalse(self.finalizer.props.running)
        self.assertEqual(self.finalizer.props.context, self.context)

    def test_same_finalizer_per_context(self):
        again = Atexit.LoopFinalizer.get_for_context(self.context)
        self.assertIs(again, self.finalizer)
        self.assertIsNot(Atexit.LoopFinalizer.get_default(), self.finalizer)


class TestLoop(FinalizerTestCase):
    def test_quit_loop_runs_cleanups_first(self):
        loop = GLib.MainLoop.new(self.context, False)
        calls = []

        def cleanup(finalizer, task):
            # The loop must still be running while cleanups complete.
            calls.append(('cleanup', loop.is_running()))
            idle_in(self.context, lambda: task.return_boolean(True))

        self.finalizer.add_async(cleanup)
        idle_in(self.context, lambda: self.finalizer.quit_loop(loop))
        self.context.push_thread_default()
        try:
            loop.run()
        finally:
            self.context.pop_thread_default()
        calls.append(('after', loop.is_running()))
        self.assertEqual(calls, [('cleanup', True), ('after', False)])

    def test_run_async(self):
        loop = GLib.MainLoop.new(self.context, False)
        results = []
        self.finalizer.add(lambda: results.append('ran'))

        def done(finalizer, result):
            results.append(finalizer.run_finish(result))
            loop.quit()

        self.context.push_thread_default()
        try:
            self.finalizer.run_async(None, done)
            loop.run()
        finally:
            self.context.pop_thread_default()
        self.assertEqual(results, ['ran', True])

    def test_cancel_run(self):
        cancellable = Gio.Cancellable()
        seen = []

        def cleanup(finalizer, task):
            def on_cancel(*args):
                seen.append('cancelled')
                task.return_error(GLib.Error.new_literal(Gio.io_error_quark(), 'stopped',
                                                         Gio.IOErrorEnum.CANCELLED))
            task.get_cancellable().connect(on_cancel)
            idle_in(self.context, cancellable.cancel)

        self.finalizer.add_async(cleanup)
        with self.assertRaises(GLib.Error) as cm:
            self.finalizer.run(cancellable)
        self.assertTrue(cm.exception.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED))
        self.assertEqual(seen, ['cancelled'])


@unittest.skipUnless(HAS_ADD_OBJECT, 'Atexit.LoopFinalizer.add_object is not available')
class TestAddObject(FinalizerTestCase):
    def test_buffered_file_stream_flushed_and_closed(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, 'journal.txt')
            base = Gio.File.new_for_path(path).create(Gio.FileCreateFlags.NONE, None)
            stream = Gio.BufferedOutputStream.new_sized(base, 4096)
            stream.write_all(b'goodbye\n', None)
            with open(path, 'rb') as f:
                self.assertEqual(f.read(), b'')  # still in the buffer
            self.finalizer.add_object(stream)
            self.finalizer.run(None)
            self.assertTrue(stream.is_closed())
            with open(path, 'rb') as f:
                self.assertEqual(f.read(), b'goodbye\n')

    def test_object_finalized_before_shutdown_drops_out(self):
        stream = Gio.MemoryOutputStream.new_resizable()
        ref = weakref.ref(stream)
        self.finalizer.add_object(stream)
        del stream
        gc.collect()
        self.assertIsNone(ref())
        self.assertTrue(self.finalizer.run(None))


class TestInterpreterExit(unittest.TestCase):
    """Cleanups left registered when Python exits neither crash nor warn."""

    def test_exit_with_pending_cleanups(self):
        # Not run at exit: the override's own exit tests are in test-override.py.
        script = '''
import gi
gi.require_version('Atexit', '1.0')
from gi.repository import Atexit, GLib
f = Atexit.LoopFinalizer.get_default()
held = []
f.add(lambda: print('never'))
f.add_async_full('async', 0, lambda fin, task: held.append(task))
ctx = GLib.MainContext.new()
g = Atexit.LoopFinalizer.get_for_context(ctx)
g.add(lambda: None)
print('exiting')
'''
        proc = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True,
                              env=dict(os.environ, ATEXIT_EXIT_ACTION='none'), timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout, 'exiting\n')
        self.assertNotIn('CRITICAL', proc.stderr)
        self.assertNotIn('Segmentation', proc.stderr)

    def test_exit_in_the_middle_of_a_run(self):
        script = '''
import gi
gi.require_version('Atexit', '1.0')
from gi.repository import Atexit, GLib
f = Atexit.LoopFinalizer.get_default()
held = []
def cleanup(fin, task):
    held.append(task)
    raise SystemExit(0)
f.add_async(cleanup)
f.run(None)
'''
        proc = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True,
                              timeout=60)
        self.assertNotIn('CRITICAL', proc.stderr)
        self.assertGreaterEqual(proc.returncode, 0, proc.stderr)


if __name__ == '__main__':
    unittest.main(verbosity=2)
