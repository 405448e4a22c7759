/* atexit-loop-finalizer-exit.c: when a context dies, at process exit, after fork()
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "atexit-loop-finalizer-private.h"
#include "atexit-registry-private.h"
#include "atexit-run-private.h"

static char *
atexit_cleanup_list_names (AtexitCleanupList *list)
{
  GString *names = g_string_new (NULL);

  for (AtexitCleanup *cleanup = list->head; cleanup != NULL; cleanup = cleanup->next)
    {
      g_autofree char *name = atexit_cleanup_dup_name (cleanup);

      g_string_append_printf (names, "%s“%s”", names->len > 0 ? ", " : "", name);
    }

  return g_string_free (names, FALSE);
}


/* The context was destroyed: its cleanups can no longer run. Nothing registered is lost
 * silently: one warning names them and each destroy notify is called. */
static void
atexit_loop_finalizer_context_died (GObject *object)
{
  AtexitLoopFinalizer *self = ATEXIT_LOOP_FINALIZER (object);
  AtexitCleanupList all = { NULL, NULL, 0 };

  g_object_ref (self);

  atexit_loop_finalizer_lock (self);
  self->context = NULL;
  /* A run holds its context: none can be in progress. */
  g_assert (self->run == NULL);
  atexit_cleanup_table_steal_all (&self->table, NULL, TRUE, &all);
  g_mutex_unlock (&self->mutex);

  if (all.length > 0)
    {
      g_autofree char *names = atexit_cleanup_list_names (&all);

      g_warning (g_dngettext (GETTEXT_PACKAGE,
                              "A main context was destroyed with %u cleanup still "
                              "registered; it will not run: %s",
                              "A main context was destroyed with %u cleanups still "
                              "registered; they will not run: %s",
                              all.length),
                 all.length, names);

      while (all.head != NULL)
        atexit_cleanup_dispose (atexit_cleanup_list_pop_head (&all));
      atexit_loop_finalizer_notify_pending (self);
    }

  g_object_unref (self);
}

gboolean
atexit_loop_finalizer_has_id (GObject *object,
                              guint    id)
{
  AtexitLoopFinalizer *self = ATEXIT_LOOP_FINALIZER (object);
  gboolean found;

  atexit_loop_finalizer_lock (self);
  found = atexit_cleanup_table_lookup (&self->table, id) != NULL;
  g_mutex_unlock (&self->mutex);

  return found;
}

/* The level of what is reported at exit: a warning, but where warnings are fatal (every
 * g_test program) one that is not, so that a clean exit never becomes an abort. */
static GLogLevelFlags
atexit_exit_log_level (void)
{
  GLogLevelFlags always = g_log_set_always_fatal (G_LOG_FATAL_MASK);
  GLogLevelFlags domain = g_log_set_fatal_mask (G_LOG_DOMAIN, G_LOG_FATAL_MASK);

  g_log_set_always_fatal (always);
  g_log_set_fatal_mask (G_LOG_DOMAIN, domain);

  return ((always | domain) & G_LOG_LEVEL_WARNING) ? G_LOG_LEVEL_MESSAGE : G_LOG_LEVEL_WARNING;
}

static AtexitExitAction
atexit_loop_finalizer_get_effective_exit_action (AtexitLoopFinalizer *self)
{
  const char *env = g_getenv ("ATEXIT_EXIT_ACTION");

  if (env != NULL && *env != '\0')
    {
      if (g_ascii_strcasecmp (env, "warn") == 0)
        return ATEXIT_EXIT_ACTION_WARN;
      if (g_ascii_strcasecmp (env, "run") == 0)
        return ATEXIT_EXIT_ACTION_RUN;
      if (g_ascii_strcasecmp (env, "none") == 0)
        return ATEXIT_EXIT_ACTION_NONE;
      g_log (G_LOG_DOMAIN, atexit_exit_log_level (),
             _("ATEXIT_EXIT_ACTION=%s is not one of “warn”, “run” or “none”; "
               "it is ignored"), env);
    }

  return atexit_loop_finalizer_get_exit_action (self);
}

typedef struct {
  GString *names;
  guint    n;
} PendingNames;

static void
append_pending_name (gpointer cleanup,
                     gpointer user_data)
{
  PendingNames *pending = user_data;
  g_autofree char *name = atexit_cleanup_dup_name (cleanup);

  g_string_append_printf (pending->names, "%s“%s”", pending->n > 0 ? ", " : "", name);
  pending->n++;
}

/* With the mutex held: the names of what would run, for a report at exit. */
static char *
atexit_loop_finalizer_pending_names_locked (AtexitLoopFinalizer *self,
                                            guint               *n)
{
  PendingNames pending = { g_string_new (NULL), 0 };

  atexit_cleanup_table_foreach (&self->table, append_pending_name, &pending);
  *n = pending.n;

  return g_string_free (pending.names, FALSE);
}

static void
atexit_loop_finalizer_warn_at_exit (AtexitLoopFinalizer *self,
                                    const char          *why)
{
  g_autofree char *names = NULL;
  guint n;

  atexit_loop_finalizer_lock (self);
  names = atexit_loop_finalizer_pending_names_locked (self, &n);
  g_mutex_unlock (&self->mutex);

  if (n == 0)
    return;

  g_log (G_LOG_DOMAIN, atexit_exit_log_level (),
         g_dngettext (GETTEXT_PACKAGE,
                      "The program exited with %u cleanup that never ran%s: %s",
                      "The program exited with %u cleanups that never ran%s: %s", n),
         n, why, names);
}

/* At exit(), in the exiting thread, which may be any: no user code runs but where the
 * exit-action asks for a run and the context can be taken. */
static void
atexit_loop_finalizer_process_exit (GObject *object)
{
  AtexitLoopFinalizer *self = ATEXIT_LOOP_FINALIZER (object);
  AtexitExitAction action = atexit_loop_finalizer_get_effective_exit_action (self);
  g_autoptr(GError) error = NULL;
  GMainContext *context;
  gboolean running, pending;

  atexit_loop_finalizer_lock (self);
  context = self->context != NULL ? g_main_context_ref (self->context) : NULL;
  running = self->run != NULL;
  pending = atexit_cleanup_table_size (&self->table) > 0;
  g_mutex_unlock (&self->mutex);

  if (context == NULL || !pending || action == ATEXIT_EXIT_ACTION_NONE)
    {
      g_clear_pointer (&context, g_main_context_unref);
      return;
    }

  if (action == ATEXIT_EXIT_ACTION_RUN)
    {
      if (running)
        {
          /* exit() from a cleanup, or while another thread runs it: the run in progress
           * cannot be waited for from here. */
          atexit_loop_finalizer_warn_at_exit (self, _(" (exit() was called during a run)"));
        }
      else if (!g_main_context_acquire (context))
        {
          atexit_loop_finalizer_warn_at_exit (self, _(" (another thread owns the main "
                                                      "context at exit)"));
        }
      else
        {
          if (!atexit_loop_finalizer_run (self, NULL, &error))
            g_log (G_LOG_DOMAIN, atexit_exit_log_level (),
                   _("The run at exit did not succeed: %s"), error->message);
          g_main_context_release (context);
        }
    }
  else
    {
      atexit_loop_finalizer_warn_at_exit (self, "");
    }

  g_main_context_unref (context);
}

static void
atexit_loop_finalizer_fork_lock (GObject *object)
{
  g_mutex_lock (&ATEXIT_LOOP_FINALIZER (object)->mutex);
}

static void
atexit_loop_finalizer_fork_unlock (GObject *object)
{
  g_mutex_unlock (&ATEXIT_LOOP_FINALIZER (object)->mutex);
}

const AtexitRegistryHooks atexit_loop_finalizer_registry_hooks = {
  .context_died = atexit_loop_finalizer_context_died,
  .process_exit = atexit_loop_finalizer_process_exit,
  .has_id = atexit_loop_finalizer_has_id,
  .lock = atexit_loop_finalizer_fork_lock,
  .unlock = atexit_loop_finalizer_fork_unlock,
};
