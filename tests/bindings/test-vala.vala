/* test-vala.vala: the vapi binds the API as Vala users expect
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

static void test_sync_and_priorities () {
  var context = new MainContext ();
  var finalizer = Atexit.LoopFinalizer.get_for_context (context);
  string[] calls = {};

  finalizer.add_full ("low", Priority.LOW, () => { calls += "low"; });
  finalizer.add_full ("high", Priority.HIGH, () => { calls += "high"; });
  finalizer.add (() => { calls += "default"; });
  var id = finalizer.add (() => { calls += "removed"; });
  assert (finalizer.pending == 4);
  assert (finalizer.remove (id));

  try {
    assert (finalizer.run (null));
  } catch (Error e) {
    assert_not_reached ();
  }
  assert (string.joinv (",", calls) == "high,default,low");
}

static void test_async_error () {
  var context = new MainContext ();
  var finalizer = Atexit.LoopFinalizer.get_for_context (context);
  var other_ran = false;

  finalizer.add_async_full ("vala-cleanup", Priority.DEFAULT, (f, task) => {
    var idle = new IdleSource ();
    idle.set_callback (() => {
      task.return_error (new IOError.NO_SPACE ("disk full"));
      return Source.REMOVE;
    });
    idle.attach (context);
  });
  finalizer.add_async ((f, task) => {
    other_ran = true;
    task.return_boolean (true);
  });

  /* The failure is logged as a warning, which a test program treats as fatal;
   * the run's error below is what this test checks. */
  Log.set_always_fatal (LogLevelFlags.LEVEL_ERROR | LogLevelFlags.LEVEL_CRITICAL);
  try {
    finalizer.run (null);
    assert_not_reached ();
  } catch (Atexit.Error.FAILED e) {
    assert ("vala-cleanup" in e.message);
    assert ("disk full" in e.message);
  } catch (Error e) {
    assert_not_reached ();
  }
  assert (other_ran);
}

/* The cancellable is optional: the 1.0 vapi gives it a default, so the run is awaited
 * with no argument at all. */
static async bool run_finalizer (Atexit.LoopFinalizer finalizer) throws Error {
  return yield finalizer.run_async ();
}

static void test_run_async () {
  var context = new MainContext ();
  var finalizer = Atexit.LoopFinalizer.get_for_context (context);
  var loop = new MainLoop (context);
  var ran = false;
  var result = false;

  finalizer.add (() => { ran = true; });
  context.push_thread_default ();
  run_finalizer.begin (finalizer, (obj, res) => {
    try {
      result = run_finalizer.end (res);
    } catch (Error e) {
      assert_not_reached ();
    }
    loop.quit ();
  });
  loop.run ();
  context.pop_thread_default ();
  assert (ran && result);
}

public static int main (string[] args) {
  Test.init (ref args);
  Test.add_func ("/atexit/vala/sync-and-priorities", test_sync_and_priorities);
  Test.add_func ("/atexit/vala/async-error", test_async_error);
  Test.add_func ("/atexit/vala/run-async", test_run_async);
  return Test.run ();
}
