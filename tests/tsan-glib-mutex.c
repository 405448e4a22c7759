/* tsan-glib-mutex.c: lets ThreadSanitizer see GLib's mutexes
 *
 * GLib's GMutex is built on futexes in an uninstrumented library, so ThreadSanitizer
 * sees none of the ordering it provides and reports every access made under it as a
 * race. Linked into the tests of a -Db_sanitize=thread build only, these wrappers
 * interpose the library's calls and tell ThreadSanitizer what the lock orders.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE
#include <dlfcn.h>
#include <glib.h>

void __tsan_acquire (void *addr);
void __tsan_release (void *addr);

void     g_mutex_lock    (GMutex *mutex);
void     g_mutex_unlock  (GMutex *mutex);
gboolean g_mutex_trylock (GMutex *mutex);

static gpointer
real_symbol (const char *name)
{
  gpointer symbol = dlsym (RTLD_NEXT, name);

  if (symbol == NULL)
    g_error ("%s not found", name);
  return symbol;
}

void
g_mutex_lock (GMutex *mutex)
{
  static void (*real) (GMutex *);

  if (real == NULL)
    real = real_symbol ("g_mutex_lock");
  real (mutex);
  __tsan_acquire (mutex);
}

void
g_mutex_unlock (GMutex *mutex)
{
  static void (*real) (GMutex *);

  if (real == NULL)
    real = real_symbol ("g_mutex_unlock");
  __tsan_release (mutex);
  real (mutex);
}

gboolean
g_mutex_trylock (GMutex *mutex)
{
  static gboolean (*real) (GMutex *);
  gboolean locked;

  if (real == NULL)
    real = real_symbol ("g_mutex_trylock");
  locked = real (mutex);
  if (locked)
    __tsan_acquire (mutex);
  return locked;
}
