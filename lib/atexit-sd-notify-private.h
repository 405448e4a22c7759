/* atexit-sd-notify-private.h: the service manager's notification socket
 *
 * Copyright 2026 The atexit-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The sd_notify() protocol without libsystemd: one datagram per message, sent to the
 * AF_UNIX socket that $NOTIFY_SOCKET names (a path, or an abstract name written with a
 * leading '@'). A message is one or more "VARIABLE=value" lines: "STOPPING=1",
 * "STATUS=…", "EXTEND_TIMEOUT_USEC=…".
 *
 * Not thread-safe: one owner sends, from any one thread at a time. */
typedef struct _AtexitSdNotify AtexitSdNotify;

/* NULL where $NOTIFY_SOCKET is unset, empty or unusable (not a path nor an abstract
 * name, too long for an AF_UNIX address, no such socket family): then there is nobody
 * to tell, and nothing is sent. The variable is read once, now. */
AtexitSdNotify *atexit_sd_notify_new_from_environment (void);

/* Sends @message as one datagram. Never blocks: where the service manager's queue is
 * full, or it is gone, the message is dropped and FALSE returned (and logged at debug
 * level); the protocol has no answer to wait for. */
gboolean        atexit_sd_notify_send                 (AtexitSdNotify *self,
                                                       const char     *message);

void            atexit_sd_notify_free                 (AtexitSdNotify *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AtexitSdNotify, atexit_sd_notify_free)

G_END_DECLS
