/* notify-manager.h: the service manager's end of $NOTIFY_SOCKET, for tests
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What systemd does: an AF_UNIX datagram socket bound to an address (a path, or an
 * abstract name written "@name"), named in $NOTIFY_SOCKET, and read.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
  GSocket *socket;
  char    *dir;       /* (nullable): holds the socket file of the path form */
  char    *variable;  /* the value of $NOTIFY_SOCKET that names it */
} Manager;

/* Binds a fresh socket, of the abstract form or the path form. */
void  manager_init         (Manager  *manager,
                            gboolean  abstract);
/* The next datagram, which was sent already: a receive that does not find it at once
 * fails the test, rather than wait. */
char *manager_receive      (Manager  *manager);
/* Nothing more was sent: a non-blocking receive finds nothing. */
void  manager_assert_empty (Manager  *manager);
void  manager_clear        (Manager  *manager);

G_END_DECLS
