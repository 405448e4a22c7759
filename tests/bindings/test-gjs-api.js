// The 1.0 API from JavaScript: constructing a finalizer or a group by its properties.
// Prints TAP; the exit status is the number of failed tests.
//
// SPDX-License-Identifier: LGPL-2.1-or-later
// Copyright 2026 The atexit-glib authors

import GLib from 'gi://GLib';
import Atexit from 'gi://Atexit?version=1.0';
import System from 'system';

const tests = [];
function test(name, func) {
    tests.push({name, func});
}

function assert(condition, message) {
    if (!condition)
        throw new Error(`assertion failed: ${message}`);
}

function withContext(func) {
    const context = GLib.MainContext.new();
    context.push_thread_default();
    try {
        func(context, Atexit.LoopFinalizer.get_for_context(context));
    } finally {
        context.pop_thread_default();
    }
}

test('new Atexit.LoopFinalizer() is the context\'s own finalizer', () => {
    assert(new Atexit.LoopFinalizer() === Atexit.LoopFinalizer.get_default(),
        'the default one');
    withContext((context, finalizer) => {
        const constructed = new Atexit.LoopFinalizer({context});
        assert(constructed === finalizer, 'the context\'s one');
        const ran = [];
        constructed.add(() => ran.push('a'));
        assert(finalizer.run(null), 'the run succeeds');
        assert(ran.join() === 'a', `ran: ${ran}`);
    });
});

test('a group built by its properties runs as one cleanup of its parent', () => {
    withContext((context, finalizer) => {
        const group = new Atexit.Group({parent: finalizer, name: 'plugin'});
        const ran = [];
        group.get_finalizer().add(() => ran.push('in'));
        finalizer.add_full('host', GLib.PRIORITY_LOW, () => ran.push('host'));
        assert(finalizer.run(null), 'the run succeeds');
        assert(ran.join() === 'in,host', `ran: ${ran}`);
    });
});

test('the version constant and functions agree', () => {
    const v = `${Atexit.get_major_version()}.${Atexit.get_minor_version()}.` +
        `${Atexit.get_micro_version()}`;
    assert(Atexit.VERSION_STRING === v, `${Atexit.VERSION_STRING} vs ${v}`);
});

let failed = 0;
print(`1..${tests.length}`);
tests.forEach(({name, func}, i) => {
    try {
        func();
        print(`ok ${i + 1} ${name}`);
    } catch (e) {
        failed++;
        print(`not ok ${i + 1} ${name}`);
        printerr(e.stack ?? e);
    }
});
System.exit(failed);
