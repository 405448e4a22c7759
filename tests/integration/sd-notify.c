/* test-sd-notify.c: the service manager's notification socket, from the receiving end
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>

#include "atexit-sd-notify-private.h"

/* What systemd does: a datagram socket bound to an address, read by the manager. */
typedef struct {
  GSocket *socket;
  char    *dir;       /* (nullable): holds the socket file of the path form */
  char    *variable;  /* the value of $NOTIFY_SOCKET that names it */
} Manager;

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
  /* A receive that would hang fails the test instead. */
  g_socket_set_timeout (manager->socket, 10);
}

static void
manager_init_path (Manager *manager)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) address = NULL;

  manager->dir = g_dir_make_tmp ("atexit-sd-notify-XXXXXX", &error);
  g_assert_no_error (error);
  manager->variable = g_build_filename (manager->dir, "notify", NULL);
  address = g_unix_socket_address_new (manager->variable);
  manager_bind (manager, address);
}

static void
manager_init_abstract (Manager *manager)
{
  g_autofree char *name = g_strdup_printf ("atexit-sd-notify-%d-%u",
                                           (int) getpid (), g_random_int ());
  g_autoptr(GSocketAddress) address = NULL;

  address = g_unix_socket_address_new_with_type (name, -1, G_UNIX_SOCKET_ADDRESS_ABSTRACT);
  manager_bind (manager, address);
  manager->dir = NULL;
  manager->variable = g_strconcat ("@", name, NULL);
}

static char *
manager_receive (Manager *manager)
{
  g_autoptr(GError) error = NULL;
  char buffer[4096];
  gssize n;

  n = g_socket_receive (manager->socket, buffer, sizeof buffer, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, >=, 0);

  return g_strndup (buffer, n);
}

static void
manager_assert_empty (Manager *manager)
{
  g_assert_cmpint (g_socket_condition_check (manager->socket, G_IO_IN), ==, 0);
}

static void
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

static void
send_and_receive (Manager *manager)
{
  g_autoptr(AtexitSdNotify) notify = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  g_setenv ("NOTIFY_SOCKET", manager->variable, TRUE);
  notify = atexit_sd_notify_new_from_environment ();
  g_assert_nonnull (notify);

  g_assert_true (atexit_sd_notify_send (notify, "STOPPING=1"));
  g_assert_true (atexit_sd_notify_send (notify,
                                        "STATUS=Closing “db”\nEXTEND_TIMEOUT_USEC=10000000"));

  /* One datagram per message, byte for byte, in order. */
  first = manager_receive (manager);
  g_assert_cmpstr (first, ==, "STOPPING=1");
  second = manager_receive (manager);
  g_assert_cmpstr (second, ==, "STATUS=Closing “db”\nEXTEND_TIMEOUT_USEC=10000000");
  manager_assert_empty (manager);

  g_unsetenv ("NOTIFY_SOCKET");
}

static void
test_path (void)
{
  Manager manager;

  manager_init_path (&manager);
  send_and_receive (&manager);
  manager_clear (&manager);
}

static void
test_abstract (void)
{
  Manager manager;

  manager_init_abstract (&manager);
  send_and_receive (&manager);
  manager_clear (&manager);
}

static void
test_unset (void)
{
  const char *unusable[] = {
    "",                    /* empty */
    "notify",              /* relative */
    "@",                   /* an abstract name with no name */
    "vsock:2:1234",        /* a family this library does not speak */
  };
  g_autofree char *too_long = g_strnfill (200, 'x');
  g_autofree char *too_long_path = g_strconcat ("/", too_long, NULL);
  g_autofree char *too_long_abstract = g_strconcat ("@", too_long, NULL);
  Manager manager;

  /* A manager is listening: had anything been sent, it would be there. */
  manager_init_abstract (&manager);

  g_unsetenv ("NOTIFY_SOCKET");
  g_assert_null (atexit_sd_notify_new_from_environment ());

  for (gsize i = 0; i < G_N_ELEMENTS (unusable); i++)
    {
      g_setenv ("NOTIFY_SOCKET", unusable[i], TRUE);
      g_assert_null (atexit_sd_notify_new_from_environment ());
    }
  g_setenv ("NOTIFY_SOCKET", too_long_path, TRUE);
  g_assert_null (atexit_sd_notify_new_from_environment ());
  g_setenv ("NOTIFY_SOCKET", too_long_abstract, TRUE);
  g_assert_null (atexit_sd_notify_new_from_environment ());
  g_unsetenv ("NOTIFY_SOCKET");

  manager_assert_empty (&manager);
  manager_clear (&manager);
}

/* A socket named but not there (the manager went away): sending fails, harmlessly. */
static void
test_gone (void)
{
  g_autoptr(AtexitSdNotify) notify = NULL;
  Manager manager;

  manager_init_path (&manager);
  g_setenv ("NOTIFY_SOCKET", manager.variable, TRUE);
  notify = atexit_sd_notify_new_from_environment ();
  g_unsetenv ("NOTIFY_SOCKET");
  g_assert_nonnull (notify);
  manager_clear (&manager);

  g_assert_false (atexit_sd_notify_send (notify, "STOPPING=1"));
}

/* A manager that does not read: the queue fills and sending fails at once, never
 * waiting for room. Without the non-blocking socket this test hangs. */
static void
test_never_blocks (void)
{
  g_autoptr(AtexitSdNotify) notify = NULL;
  g_autofree char *received = NULL;
  Manager manager;
  guint sent = 0;

  manager_init_abstract (&manager);
  g_setenv ("NOTIFY_SOCKET", manager.variable, TRUE);
  notify = atexit_sd_notify_new_from_environment ();
  g_unsetenv ("NOTIFY_SOCKET");
  g_assert_nonnull (notify);

  while (atexit_sd_notify_send (notify, "STATUS=filling the queue"))
    {
      sent++;
      g_assert_cmpuint (sent, <, 1000000);
    }
  g_assert_cmpuint (sent, >, 0);

  /* Room again: the next message goes through. */
  received = manager_receive (&manager);
  g_assert_cmpstr (received, ==, "STATUS=filling the queue");
  g_assert_true (atexit_sd_notify_send (notify, "STOPPING=1"));

  manager_clear (&manager);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/atexit/sd-notify/path/one-datagram-per-message", test_path);
  g_test_add_func ("/atexit/sd-notify/abstract/one-datagram-per-message", test_abstract);
  g_test_add_func ("/atexit/sd-notify/unset-or-unusable/sends-nothing", test_unset);
  g_test_add_func ("/atexit/sd-notify/manager-gone/send-fails", test_gone);
  g_test_add_func ("/atexit/sd-notify/queue-full/never-blocks", test_never_blocks);

  return g_test_run ();
}
