// demo.js: library code that cleans up before the main loop quits.
//
// The first half plays a library: startWorker(), connectToServer() and
// openJournal() never see the main loop. Each registers how its resource is
// closed with the finalizer of the default main context: the child process and
// the buffered file are handed to add_object(), which stops or flushes them the
// way their type needs (and warns that nobody else closed them, as Python's
// ResourceWarning does); the goodbye to the server is a cleanup of its own. A
// cleanup gets a Gio.Task and completes it with task.return_boolean(true) or
// task.return_error(e) when its asynchronous work is done.
//
// The second half plays the program that owns the loop: it runs a small TCP
// server, runs the loop and quits through the finalizer, so every cleanup has
// finished when loop.run() returns.
//
// Copyright 2026 The atexit-glib authors
// SPDX-License-Identifier: LGPL-2.1-or-later

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Atexit from 'gi://Atexit?version=1.0';
import System from 'system';

Gio._promisify(Gio.DataInputStream.prototype, 'read_line_async', 'read_line_finish_utf8');
Gio._promisify(Gio.OutputStream.prototype, 'write_all_async');
Gio._promisify(Gio.IOStream.prototype, 'close_async');

const finalizer = Atexit.LoopFinalizer.get_default();

// Runs an async function as a cleanup: its promise completes the task.
function addCleanup(name, priority, func) {
    finalizer.add_async_full(name, priority, (_finalizer, task) => {
        func(task.get_cancellable())
            .then(() => task.return_boolean(true))
            .catch(e => task.return_error(e));
    });
}

// --- library: a worker process, stopped and waited for at shutdown ---

const WORKER_TIMEOUT_MS = 2000;  // then the worker is killed

// It reads requests on its stdin, and says goodbye when told to stop.
const WORKER = `trap 'echo "worker: bye"; exit 0' TERM
echo "worker: started"
while read -r request; do :; done
`;

async function startWorker() {
    const process = Gio.Subprocess.new(['sh', '-c', WORKER],
        Gio.SubprocessFlags.STDIN_PIPE | Gio.SubprocessFlags.STDOUT_PIPE);
    const output = Gio.DataInputStream.new(process.get_stdout_pipe());

    // SIGTERM, then a wait; SIGKILL if it has not ended by its deadline.
    const id = finalizer.add_object(process);
    finalizer.set_cleanup_timeout(id, WORKER_TIMEOUT_MS);

    const [line] = await output.read_line_async(GLib.PRIORITY_DEFAULT, null);
    print(line);
    return [process, output];
}

// --- library: a connection that says goodbye and waits for the answer ---

function connectToServer(port) {
    const connection = new Gio.SocketClient().connect_to_host('127.0.0.1', port, null);
    const reader = Gio.DataInputStream.new(connection.get_input_stream());
    const state = {ack: null};

    // Runs before the worker goes away: a lower value is an earlier group.
    addCleanup('server connection', GLib.PRIORITY_HIGH, async cancellable => {
        try {
            await connection.get_output_stream().write_all_async(
                new TextEncoder().encode('BYE\n'), GLib.PRIORITY_DEFAULT, cancellable);
            [state.ack] = await reader.read_line_async(GLib.PRIORITY_DEFAULT, cancellable);
        } finally {
            await connection.close_async(GLib.PRIORITY_DEFAULT, null);
        }
    });
    return state;
}

// --- library: a journal written through a buffer that must be flushed ---

function openJournal(file) {
    const base = file.replace(null, false, Gio.FileCreateFlags.NONE, null);
    const stream = Gio.BufferedOutputStream.new_sized(base, 64 * 1024);

    // Closing a buffered stream flushes it, then closes the file.
    finalizer.add_object(stream);
    return stream;
}

// --- the program that owns the loop ---

function startServer() {
    const service = new Gio.SocketService();
    const address = Gio.InetSocketAddress.new_from_string('127.0.0.1', 0);
    const [, bound] = service.add_address(address, Gio.SocketType.STREAM,
        Gio.SocketProtocol.TCP, null);
    service.connect('incoming', (_service, connection) => {
        const reader = Gio.DataInputStream.new(connection.get_input_stream());
        reader.read_line_async(GLib.PRIORITY_DEFAULT, null).then(([line]) => {
            if (line === 'BYE') {
                connection.get_output_stream().write_all(
                    new TextEncoder().encode('ACK BYE\n'), null);
                print('server: got BYE, sent ACK');
            }
        });
        return true;
    });
    return [service, bound.get_port()];
}

finalizer.timeout = 5000;
finalizer.connect('cleanup-finished', (_f, _id, name, priority, durationUs, error) => {
    const outcome = error ? `failed: ${error.message}` : 'ok';
    print(`cleanup '${name}' (priority ${priority}): ${outcome} ` +
          `after ${(durationUs / 1000).toFixed(1)} ms`);
});

const loop = GLib.MainLoop.new(null, false);
const [service, port] = startServer();
const [journalFile, tmpStream] = Gio.File.new_tmp('atexit-demo-XXXXXX.log');
tmpStream.close(null);
const journal = openJournal(journalFile);
const client = connectToServer(port);
journal.write_all(new TextEncoder().encode('connected\n'), null);

let worker = null, workerOutput = null;
// Quit once the worker is up: the program decides, the library cleans up.
// A first SIGINT, SIGTERM or SIGHUP would quit gracefully too.
finalizer.install_unix_signals(loop);
startWorker().then(([process, output]) => {
    [worker, workerOutput] = [process, output];
    finalizer.quit_loop(loop);
}).catch(e => {
    logError(e);
    loop.quit();
});
loop.run();
finalizer.uninstall_unix_signals();
if (workerOutput !== null)
    print(workerOutput.read_line_utf8(null)[0]);

const [, contents] = journalFile.load_contents(null);
journalFile.delete(null);
service.stop();

const ok = worker !== null && worker.get_if_exited() && worker.get_exit_status() === 0 &&
    client.ack === 'ACK BYE' && journal.is_closed() &&
    new TextDecoder().decode(contents) === 'connected\n';
print(ok ? 'every resource was closed' : 'something was left open');
System.exit(ok ? 0 : 1);
