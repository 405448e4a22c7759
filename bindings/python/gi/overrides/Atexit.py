# SPDX-License-Identifier: LGPL-2.1-or-later
# Copyright 2026 The atexit-glib authors

"""PyGObject override for Atexit: what a Python program gets for free.

Importing ``gi.repository.Atexit`` loads this module, which:

- runs the pending cleanups of the default finalizer from Python's own
  :mod:`atexit`, while the interpreter is still alive, so that a program that
  quits its loop with ``loop.quit()`` and exits still gets them run. A failure
  is a :class:`RuntimeWarning`, never an exception out of the hook.
  ``ATEXIT_EXIT_ACTION=none`` or ``=warn`` in the environment, or the
  finalizer's ``exit-action`` property set to ``Atexit.ExitAction.NONE``,
  leaves them to the library;
- makes an exception raised by an asynchronous cleanup fail that cleanup at
  once: its task is returned with an ``Atexit.Error.FAILED`` error naming the
  cleanup and giving the exception's text, instead of the run waiting for the
  deadline. An exception raised by a synchronous cleanup, or by an
  asynchronous one that had already returned its task, is printed with its
  traceback on stderr, and the run goes on. A cleanup added without a name
  is named after its function;
- offers :func:`register`, a decorator that returns the function it
  registers, and :func:`unregister`, which take functions as :mod:`atexit`'s do;
- sets ``Atexit.__version__``.
"""

import atexit as _atexit
import functools
import os
import sys
import traceback
import warnings
import weakref

from ..module import get_introspection_module
from ..overrides import override

from gi.repository import GLib

Atexit = get_introspection_module('Atexit')

__all__ = []

__version__ = Atexit.VERSION_STRING
__all__.append('__version__')


def _name_of(func):
    return getattr(func, '__qualname__', None) or repr(func)


def _report(message):
    """Prints the exception being handled, which nobody can receive."""
    print(f'{message}:', file=sys.stderr)
    traceback.print_exc()


def _sync_cleanup(name, func):
    def cleanup(*user_data):
        try:
            func(*user_data)
        except Exception:
            _report(f'Exception ignored in cleanup “{name}”')
    return cleanup


# What returns a task. A task is returned once; one returned during the
# cleanup's own call shows as completed only later, so these calls are noted.
_TASK_RETURNS = ('return_boolean', 'return_error', 'return_error_if_cancelled',
                 'return_int', 'return_pointer', 'return_value')


def _noting(returned, method):
    def call(*args):
        result = method(*args)
        returned.append(result is not False)  # return_error_if_cancelled may not
        return result
    return call


def _async_cleanup(name, func):
    def cleanup(finalizer, task, *user_data):
        returned = []
        for method in _TASK_RETURNS:
            setattr(task, method, _noting(returned, getattr(task, method)))
        try:
            func(finalizer, task, *user_data)
        except Exception as exc:
            if any(returned) or task.get_completed() or task.had_error():
                _report(f'Exception ignored in cleanup “{name}”, '
                        'which had returned its task')
                return
            text = ''.join(traceback.format_exception_only(type(exc), exc)).strip()
            task.return_error(GLib.Error.new_literal(
                Atexit.error_quark(), f'“{name}” raised {text}', Atexit.Error.FAILED))
        finally:
            for method in _TASK_RETURNS:
                delattr(task, method)
    return cleanup


class LoopFinalizer(Atexit.LoopFinalizer):
    """The finalizer, whose cleanups report the exceptions they raise.

    Groups' finalizers (``Atexit.Group.get_finalizer()``) are instances too.
    """

    def add(self, func, *user_data):
        """Adds a synchronous cleanup named after func; returns its id."""
        return self.add_full(None, GLib.PRIORITY_DEFAULT, func, *user_data)

    def add_full(self, name, priority, func, *user_data):
        """Adds a synchronous cleanup; an exception it raises is reported."""
        name = name if name is not None else _name_of(func)
        return super().add_full(name, priority, _sync_cleanup(name, func), *user_data)

    def add_async(self, func, *user_data):
        """Adds an asynchronous cleanup named after func; returns its id."""
        return self.add_async_full(None, GLib.PRIORITY_DEFAULT, func, *user_data)

    def add_async_full(self, name, priority, func, *user_data):
        """Adds an asynchronous cleanup, func(finalizer, task, *user_data).

        If func raises, its task is returned with an Atexit.Error.FAILED
        error naming the cleanup and giving the exception's text.
        """
        name = name if name is not None else _name_of(func)
        return super().add_async_full(name, priority, _async_cleanup(name, func),
                                      *user_data)


LoopFinalizer = override(LoopFinalizer)
__all__.append('LoopFinalizer')


# id → function, for unregister(func). An entry goes when the finalizer
# releases the cleanup: it ran, was removed, or its context died. Threads
# share it through single dict operations, which are atomic.
_registered = {}


def register(func, *args, **kwargs):
    """Registers func(*args, **kwargs) as a cleanup and returns func.

    The cleanup is synchronous and joins the finalizer of the calling thread's
    default main context, as ``atexit_register()`` does. Use it as
    ``@Atexit.register`` or as ``Atexit.register(func, *args, **kwargs)``.
    """
    call = functools.partial(func, *args, **kwargs)
    cleanup_id = LoopFinalizer.get_thread_default().add_full(
        _name_of(func), GLib.PRIORITY_DEFAULT, call)
    _registered[cleanup_id] = func
    # call lives as long as the finalizer holds the cleanup.
    weakref.finalize(call, _registered.pop, cleanup_id, None).atexit = False
    return func


__all__.append('register')


def unregister(func_or_id):
    """Removes the cleanups not started yet that register() made of a
    function, or the cleanup with an id, from whichever finalizer holds it.

    Returns True if a cleanup was removed.
    """
    if isinstance(func_or_id, int):
        return Atexit.unregister(func_or_id)
    ids = [i for i, func in list(_registered.items()) if func == func_or_id]
    removed = False
    for cleanup_id in ids:
        removed = Atexit.unregister(cleanup_id) or removed
    return removed


__all__.append('unregister')


def _run_at_exit():
    """Runs the default finalizer's pending cleanups, unless told not to."""
    action = os.environ.get('ATEXIT_EXIT_ACTION', '').strip().lower()
    if action in ('none', 'warn'):
        return
    finalizer = LoopFinalizer.get_default()
    exit_action_none = getattr(getattr(Atexit, 'ExitAction', None), 'NONE', None)
    if (exit_action_none is not None and
            getattr(finalizer.props, 'exit_action', None) == exit_action_none):
        return
    # Running already: the program is exiting from inside that run, which
    # another one would join and wait for in vain.
    if finalizer.props.pending == 0 or finalizer.props.running:
        return
    try:
        finalizer.run(None)
    except GLib.Error as error:
        try:
            warnings.warn(f'Cleanups run at exit: {error.message}', RuntimeWarning)
        except Warning:  # -W error: still not an exception out of the hook
            print(f'RuntimeWarning: Cleanups run at exit: {error.message}',
                  file=sys.stderr)


_atexit.register(_run_at_exit)
