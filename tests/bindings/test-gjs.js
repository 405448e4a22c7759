// Atexit from JavaScript (GJS) through GObject Introspection.
// Prints TAP; the exit status is the number of failed tests (0 when all pass).
//
// Copyright 2026 The atexit-glib authors
// SPDX-License-Identifier: LGPL-2.1-or-later

import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import Gio from 'gi://Gio';
import Atexit from 'gi://Atexit?version=1.0';
import System from 'system';

const tests = [];
function test(name, func, {skip = null} = {}) {
    tests.push({name, func, skip});
}

function assert(condition, message) {
    if (!condition)
        throw new Error(`assertion failed: ${message}`);
}

function assertEqual(actual, expected) {
    const a = JSON.stringify(actual);
    const e = JSON.stringify(expected);
    if (a !== e)
        throw new Error(`expected ${e}, got ${a}`);
}

function assertThrows(func) {
    try {
        func();
    } catch (e) {
        return e;
    }
    throw new Error('expected an exception');
}

function idleIn(context, func) {
    const source = GLib.idle_source_new();
    source.set_callback(() => {
        func();
        return GLib.SOURCE_REMOVE;
    });
    source.attach(context);
}

// Each test gets its own context, hence its own finalizer.
function newFinalizer() {
    const context = GLib.MainContext.new();
    return [Atexit.LoopFinalizer.get_for_context(context), context];
}

function ioError(message, code = Gio.IOErrorEnum.FAILED) {
    return new GLib.Error(Gio.IOErrorEnum, code, message);
}

test('sync cleanup runs once', () => {
    const [f] = newFinalizer();
    const calls = [];
    f.add(() => calls.push('a'));
    assertEqual(f.pending, 1);
    assert(f.run(null), 'run succeeds');
    f.run(null);
    assertEqual(calls, ['a']);
    assertEqual(f.pending, 0);
});

test('LIFO within a group', () => {
    const [f] = newFinalizer();
    const calls = [];
    for (const name of ['a', 'b', 'c'])
        f.add_full(name, GLib.PRIORITY_DEFAULT, () => calls.push(name));
    f.run(null);
    assertEqual(calls, ['c', 'b', 'a']);
});

test('priorities: lowest value first', () => {
    const [f] = newFinalizer();
    const calls = [];
    f.add_full('low', GLib.PRIORITY_LOW, () => calls.push('low'));
    f.add_full('high', GLib.PRIORITY_HIGH, () => calls.push('high'));
    f.add_full('default', GLib.PRIORITY_DEFAULT, () => calls.push('default'));
    f.run(null);
    assertEqual(calls, ['high', 'default', 'low']);
});

test('async cleanup completed later with task.return_boolean(true)', () => {
    const [f, context] = newFinalizer();
    const calls = [];
    f.add_async((finalizer, task) => {
        assert(finalizer === f, 'the finalizer is passed');
        calls.push('started');
        idleIn(context, () => {
            calls.push('done');
            task.return_boolean(true);
        });
    });
    assert(f.run(null), 'run succeeds');
    assertEqual(calls, ['started', 'done']);
});

test('an async group finishes before the next one starts', () => {
    const [f, context] = newFinalizer();
    const calls = [];
    f.add_full('second', GLib.PRIORITY_LOW, () => calls.push('second'));
    f.add_async_full('first', GLib.PRIORITY_HIGH, (finalizer, task) => {
        calls.push('first started');
        idleIn(context, () => {
            calls.push('first done');
            task.return_boolean(true);
        });
    });
    f.run(null);
    assertEqual(calls, ['first started', 'first done', 'second']);
});

test('an error returned from JS appears in the run error', () => {
    const [f] = newFinalizer();
    const calls = [];
    f.add_async_full('flush-journal', GLib.PRIORITY_DEFAULT, (finalizer, task) => {
        task.return_error(ioError('disk full', Gio.IOErrorEnum.NO_SPACE));
    });
    f.add(() => calls.push('other'));
    const e = assertThrows(() => f.run(null));
    assert(e instanceof GLib.Error, 'a GLib.Error');
    assert(e.matches(Atexit.Error, Atexit.Error.FAILED), `ATEXIT_ERROR_FAILED: ${e}`);
    assert(e.message.includes('flush-journal'), e.message);
    assert(e.message.includes('disk full'), e.message);
    assertEqual(calls, ['other']);
});

test('a returned task that JS keeps alive does not hold up the run', () => {
    // GJS releases the task only when its garbage collector runs: the group
    // must end when the task is returned.
    const [f] = newFinalizer();
    const kept = [];
    f.timeout = 0;  // no deadline to rescue a hung run
    f.add_async_full('kept', GLib.PRIORITY_DEFAULT, (_f, task) => {
        kept.push(task);
        task.return_boolean(true);
    });
    assert(f.run(null), 'run succeeds');
    assertEqual(f.running, false);
    kept.length = 0;
});

test('cleanup-finished reports each cleanup', () => {
    const [f] = newFinalizer();
    const reports = [];
    f.connect('cleanup-finished', (_f, _id, name, priority, durationUs, error) => {
        reports.push([name, priority, durationUs >= 0, error ? error.message : null]);
    });
    f.add_full('ok', 5, () => {});
    f.add_async_full('bad', 10, (_f, task) => task.return_error(ioError('nope')));
    assertThrows(() => f.run(null));
    assertEqual(reports, [['ok', 5, true, null], ['bad', 10, true, 'nope']]);
});

// docs/bindings.md: a cleanup that may throw catches and returns the error.
function cleanupError(name, e) {
    if (e instanceof GLib.Error)
        return e;
    return new GLib.Error(Atexit.Error, Atexit.Error.FAILED, `“${name}” threw ${e}`);
}

function elapsedMs(start) {
    return (GLib.get_monotonic_time() - start) / 1000;
}

test('a cleanup that throws holds the run up until its deadline', () => {
    // What the pattern is for: GJS logs the exception and the task is never
    // returned. (The JS ERROR on stderr is this test's.)
    const [f] = newFinalizer();
    f.timeout = 200;
    f.add_async_full('thrower', GLib.PRIORITY_DEFAULT, () => {
        throw new Error('expected by the test');
    });
    const start = GLib.get_monotonic_time();
    const e = assertThrows(() => f.run(null));
    assert(e.matches(Atexit.Error, Atexit.Error.TIMED_OUT), `ATEXIT_ERROR_TIMED_OUT: ${e}`);
    assert(e.message.includes('thrower'), e.message);
    // It still ends: at its deadline, not after it.
    assert(elapsedMs(start) >= 200, `${elapsedMs(start)} ms`);
    assert(elapsedMs(start) < 5000, `${elapsedMs(start)} ms`);
});

test('a cleanup that catches and returns the error fails at once', () => {
    const [f] = newFinalizer();
    f.timeout = 60000;  // a run that waited for it would outlast the test's timeout
    const calls = [];
    f.add_async_full('flush-journal', GLib.PRIORITY_DEFAULT, (_f, task) => {
        try {
            throw new TypeError('disk on fire');
        } catch (e) {
            task.return_error(cleanupError('flush-journal', e));
        }
    });
    f.add(() => calls.push('other'));
    const e = assertThrows(() => f.run(null));
    assert(e.matches(Atexit.Error, Atexit.Error.FAILED), `ATEXIT_ERROR_FAILED: ${e}`);
    assert(e.message.includes('flush-journal'), e.message);
    assert(e.message.includes('TypeError: disk on fire'), e.message);
    assertEqual(calls, ['other']);
});

test('a promise that rejects, caught with .catch, fails its cleanup at once', () => {
    // GJS settles promises from the default main context: this finalizer's.
    const f = Atexit.LoopFinalizer.get_default();
    f.timeout = 60000;
    async function closeJournal() {
        await null;
        throw new Error('journal gone');
    }
    f.add_async_full('journal', GLib.PRIORITY_DEFAULT, (_f, task) => {
        closeJournal()
            .then(() => task.return_boolean(true))
            .catch(e => task.return_error(cleanupError('journal', e)));
    });
    const e = assertThrows(() => f.run(null));
    assert(e.matches(Atexit.Error, Atexit.Error.FAILED), `ATEXIT_ERROR_FAILED: ${e}`);
    assert(e.message.includes('journal'), e.message);
    assert(e.message.includes('Error: journal gone'), e.message);
    assertEqual(f.pending, 0);
    f.timeout = Atexit.DEFAULT_TIMEOUT;
});

test('a GLib.Error caught is returned as it is', () => {
    const [f] = newFinalizer();
    f.timeout = 60000;
    const errors = [];
    f.connect('cleanup-finished', (_f, _id, name, priority, durationUs, error) => errors.push(error));
    f.add_async_full('settings', GLib.PRIORITY_DEFAULT, (_f, task) => {
        try {
            Gio.File.new_for_path('/nonexistent/atexit-glib').load_contents(null);
            task.return_boolean(true);
        } catch (e) {
            task.return_error(cleanupError('settings', e));
        }
    });
    const e = assertThrows(() => f.run(null));
    assert(e.matches(Atexit.Error, Atexit.Error.FAILED), `ATEXIT_ERROR_FAILED: ${e}`);
    assert(e.message.includes('settings'), e.message);
    assert(errors[0].matches(Gio.IOErrorEnum, Gio.IOErrorEnum.NOT_FOUND), `${errors[0]}`);
});

test('remove prevents a cleanup', () => {
    const [f] = newFinalizer();
    const calls = [];
    const id = f.add(() => calls.push('removed'));
    f.add(() => calls.push('kept'));
    assert(id !== 0, 'an id');
    assert(f.remove(id), 'removed');
    assert(!f.remove(id), 'removed only once');
    f.run(null);
    assertEqual(calls, ['kept']);
});

test('about-to-close handlers can add cleanups', () => {
    const [f] = newFinalizer();
    const calls = [];
    f.connect('about-to-close', finalizer => {
        calls.push('signal');
        finalizer.add(() => calls.push('late'));
    });
    f.add(() => calls.push('early'));
    assert(f.run(null), 'run succeeds');
    assertEqual(calls, ['signal', 'late', 'early']);
});

test('quit_loop runs the cleanups, then quits', () => {
    const [f, context] = newFinalizer();
    const loop = GLib.MainLoop.new(context, false);
    const calls = [];
    f.add_async((_f, task) => {
        calls.push(['cleanup', loop.is_running()]);
        idleIn(context, () => task.return_boolean(true));
    });
    idleIn(context, () => f.quit_loop(loop));
    context.push_thread_default();
    try {
        loop.run();
    } finally {
        context.pop_thread_default();
    }
    calls.push(['after', loop.is_running()]);
    assertEqual(calls, [['cleanup', true], ['after', false]]);
});

test('run_async and run_finish', () => {
    const [f, context] = newFinalizer();
    const loop = GLib.MainLoop.new(context, false);
    const results = [];
    f.add(() => results.push('ran'));
    context.push_thread_default();
    try {
        f.run_async(null, (finalizer, result) => {
            results.push(finalizer.run_finish(result));
            loop.quit();
        });
        loop.run();
    } finally {
        context.pop_thread_default();
    }
    assertEqual(results, ['ran', true]);
});

test('properties', () => {
    const [f, context] = newFinalizer();
    assertEqual(f.timeout, Atexit.DEFAULT_TIMEOUT);
    f.timeout = 250;
    assertEqual(f.get_timeout(), 250);
    assertEqual(f.running, false);
    assert(Atexit.LoopFinalizer.get_for_context(context) === f, 'one finalizer per context');
});

test('exiting with cleanups still registered neither crashes nor warns', () => {
    const script = `
        const {Atexit, GLib} = imports.gi;
        const f = Atexit.LoopFinalizer.get_default();
        f.add(() => print('never'));
        const held = [];
        f.add_async_full('async', 0, (_f, task) => held.push(task));
        const context = GLib.MainContext.new();
        Atexit.LoopFinalizer.get_for_context(context).add(() => {});
        print('exiting');
    `;
    const [, out, err, status] = GLib.spawn_sync(null, ['gjs', '-c', script], null,
        GLib.SpawnFlags.SEARCH_PATH, null);
    const stderr = new TextDecoder().decode(err);
    assertEqual(new TextDecoder().decode(out), 'exiting\n');
    assert(GLib.spawn_check_wait_status(status), stderr);
    assert(!stderr.includes('CRITICAL'), stderr);
});

// Signals, sent to this very process. GLib has no constants for their numbers:
// kill(1) says what they are here.
function signalNumber(name) {
    const [, out, , status] = GLib.spawn_sync(null, ['kill', '-l', name], null,
        GLib.SpawnFlags.SEARCH_PATH, null);
    GLib.spawn_check_wait_status(status);
    return Number.parseInt(new TextDecoder().decode(out), 10);
}

function sendToSelf(name) {
    const pid = new Gio.Credentials().get_unix_pid();
    GLib.spawn_command_line_async(`kill -${name} ${pid}`);
}

// Runs loop until it quits; a loop still running after 30 s fails the test instead of
// hanging it (the signal never came, or did not quit it).
function runLoop(context, loop) {
    let gaveUp = false;
    const guard = GLib.timeout_source_new(30000);
    guard.set_callback(() => {
        gaveUp = true;
        loop.quit();
        return GLib.SOURCE_REMOVE;
    });
    guard.attach(context);
    context.push_thread_default();
    try {
        loop.run();
    } finally {
        context.pop_thread_default();
        guard.destroy();
    }
    assert(!gaveUp, 'the loop was quit by the signal');
}

// A modem manager whose modems go one per iteration once disabled (docs/daemons.md).
const ModemManager = GObject.registerClass({
    Properties: {
        'n-modems': GObject.ParamSpec.uint('n-modems', 'n-modems', 'modems left',
            GObject.ParamFlags.READWRITE, 0, 1000, 0),
    },
}, class ModemManager extends GObject.Object {
    disableAll(context) {
        const source = GLib.idle_source_new();
        source.set_callback(() => {
            this.n_modems -= 1;
            return this.n_modems > 0 ? GLib.SOURCE_CONTINUE : GLib.SOURCE_REMOVE;
        });
        source.attach(context);
    }
});

test('install_unix_signals(loop): a SIGTERM sent to gjs quits after the cleanups', () => {
    const [f, context] = newFinalizer();
    const loop = GLib.MainLoop.new(context, false);
    const calls = [];
    f.add_full('goodbye', GLib.PRIORITY_DEFAULT, () => calls.push(['goodbye', loop.is_running()]));
    f.install_unix_signals(loop);
    try {
        idleIn(context, () => sendToSelf('TERM'));
        runLoop(context, loop);
        assertEqual(calls, [['goodbye', true]]);
        assertEqual(f.get_unix_signal(), signalNumber('TERM'));
    } finally {
        f.uninstall_unix_signals();
    }
    assertEqual(f.get_unix_signal(), 0);
});

test('install_unix_signals_full(loop, [SIGUSR1]): SIGUSR1 quits after a JS async cleanup', () => {
    const [f, context] = newFinalizer();
    const loop = GLib.MainLoop.new(context, false);
    const usr1 = signalNumber('USR1');
    const calls = [];
    f.add_async_full('flush', GLib.PRIORITY_DEFAULT, (_f, task) => {
        calls.push('flush started');
        idleIn(context, () => {
            calls.push('flush done');
            task.return_boolean(true);
        });
    });
    f.install_unix_signals_full(loop, [usr1]);
    try {
        idleIn(context, () => sendToSelf('USR1'));
        runLoop(context, loop);
        assertEqual(calls, ['flush started', 'flush done']);
        assertEqual(f.get_unix_signal(), usr1);
        assertEqual(f.running, false);
    } finally {
        f.uninstall_unix_signals();
    }
});

test('Atexit.task_return_when from a JS cleanup: done when no modems are left', () => {
    const [f, context] = newFinalizer();
    const manager = new ModemManager({n_modems: 3});
    const seen = [];
    f.add_async_full('modems', GLib.PRIORITY_DEFAULT, (_f, task) => {
        manager.disableAll(context);
        Atexit.task_return_when(task, () => {
            seen.push(manager.n_modems);
            return manager.n_modems === 0;
        });
    });
    assert(f.run(null), 'run succeeds');
    assertEqual(manager.n_modems, 0);
    assert(seen.length >= 2 && seen[seen.length - 1] === 0, `${seen}`);
});

test('Atexit.task_return_when from a JS cleanup ends at its deadline', () => {
    const [f] = newFinalizer();
    f.timeout = 50;
    f.add_async_full('never', GLib.PRIORITY_DEFAULT, (_f, task) => {
        Atexit.task_return_when(task, () => false);
    });
    const e = assertThrows(() => f.run(null));
    assert(e.matches(Atexit.Error, Atexit.Error.TIMED_OUT), `ATEXIT_ERROR_TIMED_OUT: ${e}`);
    assert(e.message.includes('never'), e.message);
});

test('Atexit.task_return_on_signal from a JS cleanup: done at notify::n-modems', () => {
    const [f, context] = newFinalizer();
    const manager = new ModemManager({n_modems: 3});
    f.add_async_full('first modem', GLib.PRIORITY_DEFAULT, (_f, task) => {
        Atexit.task_return_on_signal(task, manager, 'notify::n-modems');
        manager.disableAll(context);
    });
    assert(f.run(null), 'run succeeds');
    // Done at the first change: one modem went, the others went on going afterwards.
    assert(manager.n_modems < 3, `${manager.n_modems}`);
});

test('task_return_when and a signal: SIGUSR1 quits once the JS predicate holds', () => {
    const [f, context] = newFinalizer();
    const loop = GLib.MainLoop.new(context, false);
    const manager = new ModemManager({n_modems: 2});
    const usr1 = signalNumber('USR1');
    f.add_async_full('modems', GLib.PRIORITY_DEFAULT, (_f, task) => {
        manager.disableAll(context);
        Atexit.task_return_when(task, () => manager.n_modems === 0);
    });
    f.install_unix_signals_full(loop, [usr1]);
    try {
        idleIn(context, () => sendToSelf('USR1'));
        runLoop(context, loop);
        assertEqual(manager.n_modems, 0);
        assertEqual(f.get_unix_signal(), usr1);
    } finally {
        f.uninstall_unix_signals();
    }
});

const hasAddObject = typeof Atexit.LoopFinalizer.prototype.add_object === 'function';
const noAddObject = hasAddObject ? null : 'Atexit.LoopFinalizer.add_object is not available';

test('add_object flushes and closes a buffered file stream', () => {
    const [f] = newFinalizer();
    const [file, ioStream] = Gio.File.new_tmp('atexit-gjs-XXXXXX');
    const stream = Gio.BufferedOutputStream.new_sized(ioStream.get_output_stream(), 4096);
    stream.write_all(new TextEncoder().encode('goodbye\n'), null);
    assertEqual(file.query_info('standard::size', 0, null).get_size(), 0);
    f.add_object(stream);
    f.run(null);
    assert(stream.is_closed(), 'closed');
    const [, contents] = file.load_contents(null);
    assertEqual(new TextDecoder().decode(contents), 'goodbye\n');
    file.delete(null);
}, {skip: noAddObject});

let failed = 0;
let skipped = 0;
print(`1..${tests.length}`);
tests.forEach(({name, func, skip}, i) => {
    if (skip) {
        print(`ok ${i + 1} ${name} # SKIP ${skip}`);
        skipped++;
        return;
    }
    try {
        func();
        print(`ok ${i + 1} ${name}`);
    } catch (e) {
        failed++;
        print(`not ok ${i + 1} ${name}`);
        for (const line of `${e}\n${e.stack ?? ''}`.split('\n'))
            print(`# ${line}`);
    }
});
print(`# ${tests.length - failed - skipped} passed, ${failed} failed, ${skipped} skipped`);
System.exit(failed > 0 ? 1 : 0);
