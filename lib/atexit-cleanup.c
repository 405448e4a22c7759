/* atexit-cleanup.c: one registered cleanup
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#ifdef HAVE_DLADDR
# define _GNU_SOURCE
# include <dlfcn.h>
#endif

#include <string.h>

#include "atexit-cleanup-private.h"
#include "atexit-registry-private.h"

/* On 64-bit glibc a registration without a name is one heap chunk of 96 bytes. */
G_STATIC_ASSERT (GLIB_SIZEOF_VOID_P != 8 || sizeof (AtexitCleanup) <= 88);

AtexitCleanup *
atexit_cleanup_new (AtexitCleanupKind  kind,
                    const char        *name,
                    int                priority,
                    gpointer           func,
                    gpointer           user_data,
                    GDestroyNotify     destroy)
{
  gsize name_size = name != NULL ? strlen (name) + 1 : 0;
  AtexitCleanup *cleanup;

  cleanup = g_malloc0 (MAX (sizeof (AtexitCleanup),
                            G_STRUCT_OFFSET (AtexitCleanup, name) + name_size));
  cleanup->id = atexit_registry_next_id ();
  cleanup->kind = kind;
  if (name != NULL)
    {
      cleanup->has_name = TRUE;
      memcpy (cleanup->name, name, name_size);
    }
  cleanup->priority = priority;
  cleanup->func = func;
  cleanup->user_data = user_data;
  cleanup->destroy = destroy;

  return cleanup;
}

/* Reports and logs need a name; an unnamed cleanup is called after its function when
 * the dynamic symbol table knows it, else after its id. The name is made valid UTF-8,
 * so that errors and signals carry text. */
char *
atexit_cleanup_dup_name (const AtexitCleanup *cleanup)
{
  const char *raw = NULL;
#ifdef HAVE_DLADDR
  Dl_info info;
#endif

  if (cleanup->has_name)
    raw = cleanup->name;
#ifdef HAVE_DLADDR
  else if (dladdr (cleanup->func, &info) != 0 &&
           info.dli_sname != NULL &&
           info.dli_saddr == cleanup->func)
    raw = info.dli_sname;
#endif

  if (raw == NULL)
    return g_strdup_printf ("cleanup #%u", cleanup->id);

  return g_utf8_make_valid (raw, -1);
}

void
atexit_cleanup_free (AtexitCleanup *cleanup)
{
  g_free (cleanup);
}

/* The one place a cleanup's destroy notify is called: then it is gone. It may run
 * any user code, so the caller has settled its own state before. */
void
atexit_cleanup_dispose (AtexitCleanup *cleanup)
{
  GDestroyNotify destroy = g_steal_pointer (&cleanup->destroy);
  gpointer user_data = cleanup->user_data;

  atexit_cleanup_free (cleanup);
  if (destroy != NULL)
    destroy (user_data);
}
