/* sd-notify.c: the service manager's notification socket, from the receiving end
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <gio/gio.h>

#include "atexit-sd-notify-private.h"
#include "notify-manager.h"

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

  manager_init (&manager, FALSE);
  send_and_receive (&manager);
  manager_clear (&manager);
}

static void
test_abstract (void)
{
  Manager manager;

  manager_init (&manager, TRUE);
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
  manager_init (&manager, TRUE);

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

  manager_init (&manager, FALSE);
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

  manager_init (&manager, TRUE);
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
