/* atexit-application-private.h: what the signal handling shares with the application integration
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "atexit-application.h"

G_BEGIN_DECLS

void atexit_application_quit_full (GApplication *application,
                                   GCancellable *cancellable);

G_END_DECLS
