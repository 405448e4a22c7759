/* atexit-sd-notify.c: the service manager's notification socket
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <gio/gio.h>

#ifdef G_OS_UNIX
# include <sys/un.h>
# include <gio/gunixsocketaddress.h>
#endif

#include "atexit-sd-notify-private.h"

struct _AtexitSdNotify
{
  GSocket        *socket;   /* owned; datagram, non-blocking */
  GSocketAddress *address;  /* owned; the service manager's end */
};

#ifdef G_OS_UNIX
static GSocketAddress *
atexit_sd_notify_parse_address (const char *value)
{
  gsize max = sizeof (((struct sockaddr_un *) NULL)->sun_path);
  gsize length = strlen (value);

  if (value[0] == '@')
    {
      /* The '@' stands for the leading NUL of an abstract name, which takes a byte of
       * sun_path; the name is exactly what follows, not padded with NULs. */
      if (length < 2 || length > max)
        return NULL;
      if (!g_unix_socket_address_abstract_names_supported ())
        return NULL;
      return g_unix_socket_address_new_with_type (value + 1, length - 1,
                                                  G_UNIX_SOCKET_ADDRESS_ABSTRACT);
    }

  /* A path must be absolute (systemd writes no other) and leave room for its NUL. */
  if (value[0] != '/' || length >= max)
    return NULL;

  return g_unix_socket_address_new_with_type (value, length, G_UNIX_SOCKET_ADDRESS_PATH);
}
#endif

AtexitSdNotify *
atexit_sd_notify_new_from_environment (void)
{
#ifdef G_OS_UNIX
  const char *value = g_getenv ("NOTIFY_SOCKET");
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocket) sock = NULL;
  g_autoptr(GError) error = NULL;
  AtexitSdNotify *self;

  if (value == NULL || value[0] == '\0')
    return NULL;

  address = atexit_sd_notify_parse_address (value);
  if (address == NULL)
    {
      g_debug ("NOTIFY_SOCKET=%s is not a socket address this library can use", value);
      return NULL;
    }

  sock = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_DATAGRAM,
                         G_SOCKET_PROTOCOL_DEFAULT, &error);
  if (sock == NULL)
    {
      g_debug ("Cannot notify the service manager: %s", error->message);
      return NULL;
    }
  g_socket_set_blocking (sock, FALSE);

  self = g_new0 (AtexitSdNotify, 1);
  self->socket = g_steal_pointer (&sock);
  self->address = g_steal_pointer (&address);

  return self;
#else
  return NULL;
#endif
}

gboolean
atexit_sd_notify_send (AtexitSdNotify *self,
                       const char     *message)
{
  g_autoptr(GError) error = NULL;
  gsize length;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (message != NULL, FALSE);

  length = strlen (message);
  if (g_socket_send_to (self->socket, self->address, message, length, NULL, &error) < 0)
    {
      g_debug ("Cannot notify the service manager of “%s”: %s", message, error->message);
      return FALSE;
    }

  return TRUE;
}

void
atexit_sd_notify_free (AtexitSdNotify *self)
{
  if (self == NULL)
    return;

  g_clear_object (&self->socket);
  g_clear_object (&self->address);
  g_free (self);
}
