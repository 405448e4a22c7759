/* atexit-cleanup.c: one registered cleanup
 *
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

/* One heap chunk of 80 bytes per unnamed registration, on 64-bit glibc. */
G_STATIC_ASSERT (GLIB_SIZEOF_VOID_P != 8 || sizeof (AtexitCleanup) <= 72);

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
 * the dynamic symbol table knows it, else after its id. Worked out only when needed. */
const char *
atexit_cleanup_get_name (AtexitCleanup *cleanup,
                         char           buf[ATEXIT_CLEANUP_NAME_MAX])
{
#ifdef HAVE_DLADDR
  Dl_info info;
#endif

  if (cleanup->has_name)
    return cleanup->name;

#ifdef HAVE_DLADDR
  if (dladdr (cleanup->func, &info) != 0 &&
      info.dli_sname != NULL &&
      info.dli_saddr == cleanup->func)
    return info.dli_sname;
#endif

  g_snprintf (buf, ATEXIT_CLEANUP_NAME_MAX, "cleanup #%u", cleanup->id);
  return buf;
}

void
atexit_cleanup_free (AtexitCleanup *cleanup)
{
  g_free (cleanup);
}

/* The one place a cleanup's destroy notify is called: then it is gone. */
void
atexit_cleanup_dispose (AtexitCleanup *cleanup)
{
  GDestroyNotify destroy = g_steal_pointer (&cleanup->destroy);

  if (destroy != NULL)
    destroy (cleanup->user_data);
  atexit_cleanup_free (cleanup);
}
