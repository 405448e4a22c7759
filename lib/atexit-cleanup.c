/* atexit-cleanup.c: one registered cleanup
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#ifdef HAVE_DLADDR
# define _GNU_SOURCE
# include <dlfcn.h>
#endif

#include "atexit-cleanup-private.h"
#include "atexit-registry-private.h"

AtexitCleanup *
atexit_cleanup_new (AtexitCleanupKind  kind,
                    const char        *name,
                    int                priority,
                    gpointer           func,
                    gpointer           user_data,
                    GDestroyNotify     destroy)
{
  AtexitCleanup *cleanup = g_new0 (AtexitCleanup, 1);

  cleanup->id = atexit_registry_next_id ();
  cleanup->kind = kind;
  cleanup->name = g_strdup (name);
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

  if (cleanup->name != NULL)
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
  g_free (cleanup->name);
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
