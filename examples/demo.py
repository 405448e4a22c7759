#!/usr/bin/env python3
# demo.py: library code that cleans up before the main loop quits.
#
# The first half plays a library: start_worker(), connect_to_server() and
# open_journal() never see the main loop. Each registers how its resource is
# closed with the finalizer of the default main context: the child process and
# the buffered file are handed to add_object(), which stops or flushes them the
# way their type needs (and warns that nobody else closed them, as Python's
# ResourceWarning does); the goodbye to the server is a cleanup of its own.
#
# The second half plays the program that owns the loop: it runs a small TCP
# server, runs the loop and quits through the finalizer, so every cleanup,
# asynchronous ones included, has finished when loop.run() returns.
#
# Copyright 2026 The atexit-glib authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import signal
import sys
import tempfile

import gi

gi.require_version('Atexit', '1.0')
from gi.repository import Atexit, Gio, GLib  # noqa: E402

finalizer = Atexit.LoopFinalizer.get_default()

WORKER_TIMEOUT_MS = 2000  # then the worker is killed

# --- library: a worker process, stopped and waited for at shutdown ---

# It reads requests on its stdin, and says goodbye when told to stop.
WORKER = '''trap 'echo "worker: bye"; exit 0' TERM
echo "worker: started"
while read -r request; do :; done
'''

def start_worker(on_started):
    process = Gio.Subprocess.new(['sh', '-c', WORKER],
                                 Gio.SubprocessFlags.STDIN_PIPE | Gio.SubprocessFlags.STDOUT_PIPE)
    output = Gio.DataInputStream.new(process.get_stdout_pipe())

    def started(stream, result):
        line, _ = stream.read_line_finish_utf8(result)
        print(line)
        on_started()

    output.read_line_async(GLib.PRIORITY_DEFAULT, None, started)

    # SIGTERM, then a wait; SIGKILL if it has not ended by its deadline.
    cleanup_id = finalizer.add_object(process)
    finalizer.set_cleanup_timeout(cleanup_id, WORKER_TIMEOUT_MS)
    return process, output


# --- library: a connection that says goodbye and waits for the answer ---

def connect_to_server(port):
    connection = Gio.SocketClient().connect_to_host('127.0.0.1', port, None)
    reader = Gio.DataInputStream.new(connection.get_input_stream())
    state = {'ack': None}

    def say_goodbye(finalizer, task):
        cancellable = task.get_cancellable()

        def closed(connection, result):
            try:
                connection.close_finish(result)
                task.return_boolean(True)
            except GLib.Error as e:
                task.return_error(e)

        def answered(reader, result):
            try:
                state['ack'], _ = reader.read_line_finish_utf8(result)
            except GLib.Error as e:
                connection.close(None)
                task.return_error(e)
                return
            connection.close_async(GLib.PRIORITY_DEFAULT, cancellable, closed)

        def sent(output, result):
            output.write_all_finish(result)
            reader.read_line_async(GLib.PRIORITY_DEFAULT, cancellable, answered)

        connection.get_output_stream().write_all_async(b'BYE\n', GLib.PRIORITY_DEFAULT,
                                                      cancellable, sent)

    # Runs before the worker goes away: a lower value is an earlier group.
    finalizer.add_async_full('server connection', GLib.PRIORITY_HIGH, say_goodbye)
    return state


# --- library: a journal written through a buffer that must be flushed ---

def open_journal(path):
    base = Gio.File.new_for_path(path).replace(None, False, Gio.FileCreateFlags.NONE, None)
    stream = Gio.BufferedOutputStream.new_sized(base, 64 * 1024)

    # Closing a buffered stream flushes it, then closes the file.
    finalizer.add_object(stream)
    return stream


# --- the program that owns the loop ---

def serve(service, connection, source):
    reader = Gio.DataInputStream.new(connection.get_input_stream())

    def got_line(reader, result):
        line, _ = reader.read_line_finish_utf8(result)
        if line == 'BYE':
            connection.get_output_stream().write_all(b'ACK BYE\n', None)
            print('server: got BYE, sent ACK')
        elif line is not None:
            reader.read_line_async(GLib.PRIORITY_DEFAULT, None, got_line)

    reader.read_line_async(GLib.PRIORITY_DEFAULT, None, got_line)
    return True


def main():
    finalizer.props.timeout = 5000
    loop = GLib.MainLoop.new(None, False)

    service = Gio.SocketService()
    address = Gio.InetSocketAddress.new_from_string('127.0.0.1', 0)
    _, bound = service.add_address(address, Gio.SocketType.STREAM,
                                   Gio.SocketProtocol.TCP, None)
    service.connect('incoming', serve)

    def report(finalizer, cleanup_id, name, priority, duration_us, error):
        outcome = 'ok' if error is None else 'failed: ' + error.message
        print(f'cleanup {name!r} (priority {priority}): {outcome} '
              f'after {duration_us / 1000:.1f} ms')

    finalizer.connect('cleanup-finished', report)

    with tempfile.TemporaryDirectory() as tmp:
        journal_path = os.path.join(tmp, 'journal.log')
        journal = open_journal(journal_path)
        client = connect_to_server(bound.get_port())
        journal.write_all(b'connected\n', None)

        # Quit once the worker is up: the program decides, the library cleans up.
        # A first SIGINT, SIGTERM or SIGHUP would quit gracefully too.
        finalizer.install_unix_signals(loop)
        worker, worker_output = start_worker(lambda: finalizer.quit_loop(loop))
        loop.run()
        finalizer.uninstall_unix_signals()
        print(worker_output.read_line_utf8(None)[0])

        with open(journal_path) as f:
            journal_text = f.read()

    service.stop()
    ok = (worker.get_if_exited() and worker.get_exit_status() == 0 and
          client['ack'] == 'ACK BYE' and journal.is_closed() and
          journal_text == 'connected\n')
    print('every resource was closed' if ok else 'something was left open')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
