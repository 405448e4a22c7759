/* demo-server.h: the demo's server on 127.0.0.1, for the library to say goodbye to
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Answers "ACK BYE" to every client that says "BYE". */
typedef struct _DemoServer DemoServer;

DemoServer *demo_server_new           (GError     **error);
guint16     demo_server_get_port      (DemoServer  *server);
void        demo_server_stop          (DemoServer  *server);
guint       demo_server_get_n_clients (DemoServer  *server);
gboolean    demo_server_got_bye       (DemoServer  *server);
void        demo_server_free          (DemoServer  *server);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DemoServer, demo_server_free)

G_END_DECLS
