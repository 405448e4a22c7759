#!/usr/bin/env python3
# The PyGObject override: cleanups run at interpreter exit, exceptions raised
# by cleanups, Atexit.register and Atexit.unregister.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright 2026 The atexit-glib authors

import contextlib
import gc
import io
import os
import subprocess
import sys
import textwrap
import unittest
import weakref

import gi

gi.require_version('GLib', '2.0')
gi.require_version('Atexit', '1.0')
from gi.repository import Atexit, GLib  # noqa: E402

# Long enough that a run waiting for it would outlast the test's own timeout:
# a cleanup that fails "at once" must not need it.
DEADLINE_MS = 60000

HAS_EXIT_ACTION = hasattr(Atexit, 'ExitAction')


def setUpModule():
    # Criticals abort, as in a g_test program: returning a task twice is one.
    GLib.log_set_always_fatal(GLib.LogLevelFlags.LEVEL_CRITICAL |
                              GLib.LogLevelFlags.LEVEL_ERROR)


def run_python(script, *args, **env):
    """Runs script in a new interpreter, which exits the plain way."""
    return subprocess.run([sys.executable, *args, '-c', textwrap.dedent(script)],
                          capture_output=True, text=True, timeout=DEADLINE_MS // 2000,
                          env=dict(os.environ, **env))


def raising(exception):
    def cleanup(*args):
        raise exception
    return cleanup


class FinalizerTestCase(unittest.TestCase):
    def setUp(self):
        # Each test gets its own context, hence its own finalizer.
        self.context = GLib.MainContext.new()
        self.finalizer = Atexit.LoopFinalizer.get_for_context(self.context)
        self.finalizer.props.timeout = DEADLINE_MS
        self.reports = []
        self.finalizer.connect('cleanup-finished', self.on_cleanup_finished)

    def on_cleanup_finished(self, finalizer, cleanup_id, name, priority, duration_us, error):
        self.reports.append((name, error))

    def tearDown(self):
        self.assertEqual(self.finalizer.props.pending, 0)
        del self.finalizer
        del self.context
        gc.collect()

    def assertRunFails(self, finalizer=None):
        """Runs the finalizer; returns its error, which must be FAILED."""
        with self.assertRaises(GLib.Error) as cm:
            (finalizer or self.finalizer).run(None)
        error = cm.exception
        self.assertFalse(error.matches(Atexit.error_quark(), Atexit.Error.TIMED_OUT),
                         error.message)
        self.assertTrue(error.matches(Atexit.error_quark(), Atexit.Error.FAILED),
                        error.message)
        return error


class TestOverride(unittest.TestCase):
    def test_found_in_the_source_tree(self):
        # The build tree's tests must not run an installed copy.
        here = os.path.dirname(os.path.abspath(__file__))
        source = os.path.join(here, '..', '..', 'bindings', 'python', 'gi', 'overrides',
                              'Atexit.py')
        module = sys.modules[Atexit.LoopFinalizer.__module__]
        self.assertEqual(module.__name__, 'gi.overrides.Atexit')
        self.assertTrue(os.path.samefile(module.__file__, source), module.__file__)

    def test_version(self):
        self.assertIsInstance(Atexit.__version__, str)
        self.assertEqual(Atexit.__version__, Atexit.VERSION_STRING)
        self.assertEqual(Atexit.__version__, '{}.{}.{}'.format(
            Atexit.get_major_version(), Atexit.get_minor_version(),
            Atexit.get_micro_version()))


class TestAsyncRaise(FinalizerTestCase):
    def test_fails_the_cleanup_at_once_named(self):
        calls = []
        self.finalizer.add_async_full('flush-journal', GLib.PRIORITY_DEFAULT,
                                      raising(ValueError('disk on fire')))
        self.finalizer.add(lambda: calls.append('other'))
        error = self.assertRunFails()
        self.assertIn('flush-journal', error.message)
        self.assertIn('ValueError: disk on fire', error.message)
        # A failing cleanup never stops the others.
        self.assertEqual(calls, ['other'])
        # The task's own error says it too, to ::cleanup-finished.
        (name, task_error), = [r for r in self.reports if r[0] == 'flush-journal']
        self.assertTrue(task_error.matches(Atexit.error_quark(), Atexit.Error.FAILED))
        self.assertIn('flush-journal', task_error.message)
        self.assertIn('ValueError: disk on fire', task_error.message)

    def test_unnamed_cleanup_is_named_after_its_function(self):
        def close_journal(finalizer, task):
            raise RuntimeError('journal gone')

        self.finalizer.add_async(close_journal)
        error = self.assertRunFails()
        self.assertIn('close_journal', error.message)
        self.assertIn('RuntimeError: journal gone', error.message)
        self.assertEqual([name for name, _ in self.reports], [close_journal.__qualname__])

    def test_user_data_is_passed_on(self):
        seen = []

        def cleanup(finalizer, task, *user_data):
            seen.append(user_data)
            raise KeyError(user_data[0])

        self.finalizer.add_async_full('with-data', GLib.PRIORITY_DEFAULT, cleanup, 'socket')
        error = self.assertRunFails()
        self.assertEqual(seen, [('socket',)])
        self.assertIn("KeyError: 'socket'", error.message)

    def test_raise_after_return_error_if_cancelled(self):
        # Not cancelled, so not returned: the exception still fails it.
        def cleanup(finalizer, task):
            if task.return_error_if_cancelled():
                return
            raise OSError('no route')

        self.finalizer.add_async_full('probe', GLib.PRIORITY_DEFAULT, cleanup)
        error = self.assertRunFails()
        self.assertIn('OSError: no route', error.message)

    def test_raise_after_returning_keeps_the_result(self):
        # A task is returned once: the exception is reported, the result kept.
        def cleanup(finalizer, task):
            task.return_boolean(True)
            raise ValueError('too late')

        self.finalizer.add_async_full('late', GLib.PRIORITY_DEFAULT, cleanup)
        with contextlib.redirect_stderr(io.StringIO()) as stderr:
            self.assertTrue(self.finalizer.run(None))
        self.assertIn('Exception ignored in cleanup “late”, which had returned its task',
                      stderr.getvalue())
        self.assertIn('ValueError: too late', stderr.getvalue())
        self.assertEqual(self.reports, [('late', None)])

    def test_group_finalizers_too(self):
        group = Atexit.Group.new(self.finalizer, 'plugin', GLib.PRIORITY_DEFAULT)
        group_finalizer = group.get_finalizer()
        group_finalizer.props.timeout = DEADLINE_MS
        self.assertIsInstance(group_finalizer, Atexit.LoopFinalizer)
        group_finalizer.add_async_full('plugin-socket', GLib.PRIORITY_DEFAULT,
                                       raising(ConnectionError('reset')))
        error = self.assertRunFails()
        self.assertIn('plugin-socket', error.message)
        self.assertIn('ConnectionError: reset', error.message)

    def test_completed_cleanup_still_works(self):
        kept = []

        def cleanup(finalizer, task):
            kept.append(task)
            task.return_boolean(True)

        self.finalizer.add_async(cleanup)
        self.assertTrue(self.finalizer.run(None))
        # What the override did to the task during the call is undone.
        self.assertNotIn('return_boolean', vars(kept[0]))


class TestSyncRaise(FinalizerTestCase):
    def test_reported_and_the_run_goes_on(self):
        calls = []
        self.finalizer.add_full('bad', GLib.PRIORITY_DEFAULT, raising(ValueError('sync boom')))
        self.finalizer.add(lambda: calls.append('other'))
        with contextlib.redirect_stderr(io.StringIO()) as stderr:
            self.assertTrue(self.finalizer.run(None))
        self.assertEqual(calls, ['other'])
        self.assertIn('Exception ignored in cleanup “bad”', stderr.getvalue())
        self.assertIn('Traceback', stderr.getvalue())
        self.assertIn('ValueError: sync boom', stderr.getvalue())

    def test_unnamed_cleanup_is_named_after_its_function(self):
        def flush_cache():
            pass

        self.finalizer.add(flush_cache)
        self.finalizer.run(None)
        self.assertEqual(self.reports, [(flush_cache.__qualname__, None)])


class TestRegister(FinalizerTestCase):
    """Atexit.register uses the thread-default finalizer: the test's own."""

    def setUp(self):
        super().setUp()
        self.context.push_thread_default()

    def tearDown(self):
        self.context.pop_thread_default()
        super().tearDown()

    def test_decorator_returns_the_function(self):
        calls = []

        @Atexit.register
        def goodbye():
            calls.append('goodbye')

        self.assertTrue(callable(goodbye))
        self.assertEqual(goodbye.__name__, 'goodbye')
        self.assertEqual(self.finalizer.props.pending, 1)
        self.assertTrue(self.finalizer.run(None))
        self.assertEqual(calls, ['goodbye'])
        self.assertEqual([name for name, _ in self.reports], [goodbye.__qualname__])

    def test_with_arguments(self):
        calls = []

        def record(*args, **kwargs):
            calls.append((args, kwargs))

        self.assertIs(Atexit.register(record, 'a', 1, key='b'), record)
        self.finalizer.run(None)
        self.assertEqual(calls, [(('a', 1), {'key': 'b'})])

    def test_unregister_a_function(self):
        calls = []

        def first():
            calls.append('first')

        def second():
            calls.append('second')

        Atexit.register(first)
        Atexit.register(second)
        Atexit.register(first)
        self.assertTrue(Atexit.unregister(first))
        self.assertFalse(Atexit.unregister(first))
        self.assertEqual(self.finalizer.props.pending, 1)
        self.finalizer.run(None)
        self.assertEqual(calls, ['second'])
        # Run, so gone: nothing left to unregister.
        self.assertFalse(Atexit.unregister(second))

    def test_unregister_an_id(self):
        cleanup_id = self.finalizer.add(lambda: self.fail('removed'))
        self.assertTrue(Atexit.unregister(cleanup_id))
        self.assertEqual(self.finalizer.props.pending, 0)

    def test_function_released_after_the_run(self):
        def goodbye():
            pass

        ref = weakref.ref(Atexit.register(goodbye))
        del goodbye
        gc.collect()
        self.assertIsNotNone(ref())
        self.finalizer.run(None)
        gc.collect()
        self.assertIsNone(ref())

    def test_raise_is_reported(self):
        Atexit.register(raising(ValueError('registered boom')))
        with contextlib.redirect_stderr(io.StringIO()) as stderr:
            self.assertTrue(self.finalizer.run(None))
        self.assertIn('ValueError: registered boom', stderr.getvalue())


# A program that knows nothing of the finalizer's loop API: it quits the plain
# way. The async cleanup is completed from the context, which the run at exit
# iterates; it starts first, being in the earlier group.
PLAIN_QUIT = '''
    import gi
    gi.require_version('Atexit', '1.0')
    from gi.repository import Atexit, GLib

    finalizer = Atexit.LoopFinalizer.get_default()
    finalizer.add_full('journal', GLib.PRIORITY_LOW, lambda: print('journal closed'))

    def say_goodbye(finalizer, task):
        def done():
            print('goodbye said')
            task.return_boolean(True)
        GLib.idle_add(done)

    finalizer.add_async_full('goodbye', GLib.PRIORITY_HIGH, say_goodbye)
    {extra}
    loop = GLib.MainLoop()
    GLib.idle_add(loop.quit)
    loop.run()
    print('loop quit')
'''


class TestInterpreterExit(unittest.TestCase):
    def test_plain_quit_runs_the_cleanups(self):
        proc = run_python(PLAIN_QUIT.format(extra=''))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout, 'loop quit\ngoodbye said\njournal closed\n')
        self.assertEqual(proc.stderr, '')

    def test_exit_action_none_in_the_environment(self):
        for value in ('none', 'warn'):
            with self.subTest(ATEXIT_EXIT_ACTION=value):
                proc = run_python(PLAIN_QUIT.format(extra=''), ATEXIT_EXIT_ACTION=value)
                self.assertEqual(proc.returncode, 0, proc.stderr)
                self.assertEqual(proc.stdout, 'loop quit\n')

    @unittest.skipUnless(HAS_EXIT_ACTION, 'Atexit.ExitAction is not available')
    def test_exit_action_property_none(self):
        extra = 'finalizer.props.exit_action = Atexit.ExitAction.NONE'
        proc = run_python(PLAIN_QUIT.format(extra=extra))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout, 'loop quit\n')

    def test_failure_at_exit_is_a_warning(self):
        script = '''
            import gi
            gi.require_version('Atexit', '1.0')
            from gi.repository import Atexit, GLib

            def flush(finalizer, task):
                raise ValueError('disk on fire')

            finalizer = Atexit.LoopFinalizer.get_default()
            finalizer.props.timeout = {}
            finalizer.add_async_full('flush-journal', GLib.PRIORITY_DEFAULT, flush)
            print('exiting')
        '''.format(DEADLINE_MS)
        # -W error turns the warning into an exception: still none out of the hook.
        for args in ((), ('-W', 'error::RuntimeWarning')):
            with self.subTest(args=args):
                proc = run_python(script, *args)
                self.assertEqual(proc.returncode, 0, proc.stderr)
                self.assertEqual(proc.stdout, 'exiting\n')
                self.assertIn('RuntimeWarning: Cleanups run at exit', proc.stderr)
                self.assertIn('flush-journal', proc.stderr)
                self.assertIn('ValueError: disk on fire', proc.stderr)
                self.assertNotIn('deadline', proc.stderr)
                self.assertNotIn('Traceback', proc.stderr)

    def test_registered_function_runs(self):
        script = '''
            import gi
            gi.require_version('Atexit', '1.0')
            from gi.repository import Atexit, GLib

            @Atexit.register
            def goodbye():
                print('goodbye')

            Atexit.register(print, 'bye', 'now')
            assert goodbye.__name__ == 'goodbye'
            loop = GLib.MainLoop()
            GLib.idle_add(loop.quit)
            loop.run()
            print('loop quit')
        '''
        proc = run_python(script)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout, 'loop quit\nbye now\ngoodbye\n')


if __name__ == '__main__':
    unittest.main(verbosity=2)
