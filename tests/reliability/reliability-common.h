/* reliability-common.h: what the reliability tests share: a log writer that counts
 * the library's warnings instead of aborting on them
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <atexit-glib.h>

G_BEGIN_DECLS

/* Every warning of the "Atexit" domain is kept here (under rel_log_mutex); any other
 * warning or critical makes the test fail, unless rel_log_allow_criticals is set. */
extern GMutex     rel_log_mutex;
extern GPtrArray *rel_log_warnings;
extern gboolean   rel_log_allow_criticals;

void  rel_log_init            (void);
void  rel_log_reset           (void);
guint rel_log_count_naming    (const char *quoted_name);
char *rel_log_join            (void);

G_END_DECLS
