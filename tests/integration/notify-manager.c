/* notify-manager.c: the service manager's end of $NOTIFY_SOCKET, for tests
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <unistd.h>

#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>

#include "notify-manager.h"

static void
manager_bind (Manager        *manager,
              GSocketAddress *address)
{
  g_autoptr(GError) error = NULL;

  manager->socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_DATAGRAM,
                                  G_SOCKET_PROTOCOL_DEFAULT, &error);
  g_assert_no_error (error);
  g_socket_bind (manager->socket, address, FALSE, &error);
  g_assert_no_error (error);
}

void
manager_init (Manager  *manager,
              gboolean  abstract)
{
  g_autoptr(GSocketAddress) address = NULL;

  if (abstract)
    {
      g_autofree char *name = g_strdup_printf ("atexit-notify-manager-%d-%u",
                                               (int) getpid (), g_random_int ());

      address = g_unix_socket_address_new_with_type (name, -1, G_UNIX_SOCKET_ADDRESS_ABSTRACT);
      manager->dir = NULL;
      manager->variable = g_strconcat ("@", name, NULL);
    }
  else
    {
      g_autoptr(GError) error = NULL;

      manager->dir = g_dir_make_tmp ("atexit-notify-manager-XXXXXX", &error);
      g_assert_no_error (error);
      manager->variable = g_build_filename (manager->dir, "notify", NULL);
      address = g_unix_socket_address_new (manager->variable);
    }
  manager_bind (manager, address);
}

char *
manager_receive (Manager *manager)
{
  g_autoptr(GError) error = NULL;
  char buffer[4096];
  gssize n;

  n = g_socket_receive_with_blocking (manager->socket, buffer, sizeof buffer, FALSE, NULL,
                                      &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, >=, 0);

  return g_strndup (buffer, n);
}

void
manager_assert_empty (Manager *manager)
{
  g_autoptr(GError) error = NULL;
  char buffer[4096];
  gssize n;

  n = g_socket_receive_with_blocking (manager->socket, buffer, sizeof buffer, FALSE, NULL,
                                      &error);
  if (n >= 0)
    g_error ("The service manager was told “%.*s”", (int) n, buffer);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
}

void
manager_clear (Manager *manager)
{
  g_socket_close (manager->socket, NULL);
  g_clear_object (&manager->socket);
  if (manager->dir != NULL)
    {
      g_unlink (manager->variable);
      g_rmdir (manager->dir);
    }
  g_clear_pointer (&manager->dir, g_free);
  g_clear_pointer (&manager->variable, g_free);
}
