// consumer.vala: a Vala program outside the tree that uses atexit-glib's .vapi
//
// Copyright 2026 The atexit-glib authors
// SPDX-License-Identifier: LGPL-2.1-or-later

int main () {
    var finalizer = Atexit.LoopFinalizer.get_default ();
    int ran = 0;

    finalizer.add_full ("count", Priority.DEFAULT, () => { ran++; });
    try {
        finalizer.run (null);
    } catch (Error e) {
        printerr ("the run failed: %s\n", e.message);
        return 1;
    }
    if (ran != 1) {
        printerr ("the cleanup did not run\n");
        return 1;
    }
    print ("consumer-vala: atexit-glib %u.%u, the cleanup ran\n",
           Atexit.get_major_version (), Atexit.get_minor_version ());
    return 0;
}
