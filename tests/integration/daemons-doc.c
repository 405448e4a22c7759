/* daemons-doc.c: the code of docs/daemons.md, compiled and run
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * doc-snippets.py extracts the page's blocks marked <!-- compiled --> into
 * daemons-doc-snippets.h, included below after the stand-ins they call: a Service and
 * a ModemManager. The page's main() becomes doc_main(), which this program runs when
 * started with --doc-main, as a child of its own test.
 */

#include <signal.h>
#include <stdio.h>

#include <glib-unix.h>

#include "test-util.h"

static void
say (const char *line)
{
  printf ("%s\n", line);
  fflush (stdout);
}

/* A service with a configuration to reload and something to clean up. */

typedef struct {
  guint reloads;
} Service;

static gboolean
say_ready (gpointer user_data)
{
  say ("ready");
  return G_SOURCE_REMOVE;
}

static void
service_stop (gpointer user_data)
{
  say ("service stopped");
}

static Service *
service_new (void)
{
  atexit_loop_finalizer_add_full (atexit_loop_finalizer_get_default (), "service",
                                  G_PRIORITY_DEFAULT, service_stop, NULL, NULL);
  /* Once the loop runs, with every handler in place. */
  g_idle_add (say_ready, NULL);
  return g_new0 (Service, 1);
}

static void
service_reload_configuration (Service *service)
{
  service->reloads++;
  say ("reloaded");
}

static void
service_free (Service *service)
{
  g_free (service);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Service, service_free)

/* A modem manager whose modems go away, one per iteration, once disabled. */

#define MODEM_TYPE_MANAGER (modem_manager_get_type ())
G_DECLARE_FINAL_TYPE (ModemManager, modem_manager, MODEM, MANAGER, GObject)

struct _ModemManager
{
  GObject parent_instance;
  guint   n_modems;
  guint   n_disabling;
};

G_DEFINE_FINAL_TYPE (ModemManager, modem_manager, G_TYPE_OBJECT)

enum { PROP_N_MODEMS = 1 };

static void
modem_manager_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_N_MODEMS:
      g_value_set_uint (value, MODEM_MANAGER (object)->n_modems);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
modem_manager_class_init (ModemManagerClass *klass)
{
  G_OBJECT_CLASS (klass)->get_property = modem_manager_get_property;
  g_object_class_install_property (G_OBJECT_CLASS (klass), PROP_N_MODEMS,
                                   g_param_spec_uint ("n-modems", NULL, NULL, 0, G_MAXUINT, 0,
                                                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
}

static void
modem_manager_init (ModemManager *self)
{
}

static ModemManager *
modem_manager_new (guint n_modems)
{
  ModemManager *self = g_object_new (MODEM_TYPE_MANAGER, NULL);

  self->n_modems = n_modems;
  return self;
}

static guint
modem_manager_get_n_modems (ModemManager *self)
{
  return self->n_modems;
}

static gboolean
modem_gone (gpointer user_data)
{
  ModemManager *self = user_data;

  self->n_disabling--;
  self->n_modems--;
  g_object_notify (G_OBJECT (self), "n-modems");
  return self->n_disabling > 0 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
modem_manager_disable (ModemManager *self,
                       guint         n)
{
  g_assert_cmpuint (self->n_disabling, ==, 0);
  self->n_disabling = MIN (n, self->n_modems);
  if (self->n_disabling > 0)
    {
      /* In the caller's context: the test's own. */
      GSource *source = g_idle_source_new ();

      g_source_set_callback (source, modem_gone, g_object_ref (self), g_object_unref);
      g_source_attach (source, g_main_context_get_thread_default ());
      g_source_unref (source);
    }
}

static void
modem_manager_disable_all (ModemManager *self)
{
  modem_manager_disable (self, self->n_modems);
}

static void
modem_manager_disable_first (ModemManager *self)
{
  modem_manager_disable (self, 1);
}

/* The page's code. */

#define main doc_main
int doc_main (void);
#include "daemons-doc-snippets.h"
#undef main

static void
test_return_when (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(ModemManager) manager = modem_manager_new (3);
  g_auto(RunResult) res = { 0 };

  watch_modems (manager);
  g_assert_cmpuint (atexit_loop_finalizer_get_pending (fx->finalizer), ==, 1);
  run_and_wait (fx->finalizer, NULL, &res);
  g_assert_no_error (res.error);
  g_assert_true (res.ok);

  /* Every modem went, one per iteration, before the cleanup ended. */
  g_assert_cmpuint (modem_manager_get_n_modems (manager), ==, 0);
  g_object_add_weak_pointer (G_OBJECT (manager), (gpointer *) &manager);
  g_clear_object (&manager);
  g_assert_null (manager);
}

static void
test_return_on_signal (Fixture       *fx,
                       gconstpointer  data)
{
  g_autoptr(ModemManager) manager = modem_manager_new (3);
  g_auto(RunResult) res = { 0 };

  atexit_loop_finalizer_add_async_full (fx->finalizer, "one modem", G_PRIORITY_DEFAULT,
                                        disable_one_modem, manager, NULL);
  run_and_wait (fx->finalizer, NULL, &res);
  g_assert_no_error (res.error);
  g_assert_true (res.ok);

  /* Done at the first change: one modem went. */
  g_assert_cmpuint (modem_manager_get_n_modems (manager), ==, 2);
}

/* The page's main(), started as a child: SIGHUP reloads, SIGTERM quits after the
 * cleanups, and main() returns 128 + 15. */
static void
test_main_reloads_and_quits (void)
{
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  const char *said[] = { "ready", "reloaded", "reloaded", "service stopped" };

  child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                            g_test_get_filename (G_TEST_BUILT, "daemons-doc", NULL),
                            "--doc-main", NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));

  for (gsize i = 0; i < G_N_ELEMENTS (said); i++)
    {
      g_autofree char *line = g_data_input_stream_read_line (out, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (line, ==, said[i]);
      /* Each line is the answer to the signal sent after the one before. */
      if (i < 2)
        g_subprocess_send_signal (child, SIGHUP);
      else if (i == 2)
        g_subprocess_send_signal (child, SIGTERM);
    }

  g_subprocess_wait (child, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (child));
  g_assert_cmpint (g_subprocess_get_exit_status (child), ==, 128 + SIGTERM);
}

int
main (int   argc,
      char *argv[])
{
  if (argc == 2 && g_str_equal (argv[1], "--doc-main"))
    return doc_main ();

  g_test_init (&argc, &argv, NULL);

  ADD_TEST ("/atexit/docs/daemons/return-when/no-modems-left", test_return_when);
  ADD_TEST ("/atexit/docs/daemons/return-on-signal/first-change", test_return_on_signal);
  g_test_add_func ("/atexit/docs/daemons/main/sighup-reloads-sigterm-quits",
                   test_main_reloads_and_quits);

  return g_test_run ();
}
