/* reliability-common.h: what the reliability tests share: a log writer that counts
 * the library's warnings instead of aborting on them
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The other test programs expect each warning with EXPECT_WARNING (test-util.h). A
 * randomized schedule or a real-world fault produces warnings in numbers and in an
 * order known only at run time (a cleanup that passes its deadline on a slow machine,
 * a peer that resets or a pipe that breaks), so these programs record them and check
 * that each cleanup that failed was named exactly once.
 */

#pragma once

#include <atexit-glib.h>

G_BEGIN_DECLS

/* Every warning of the "Atexit" domain is kept here (under rel_log_mutex); any other
 * warning or critical makes the test fail. */
extern GMutex     rel_log_mutex;
extern GPtrArray *rel_log_warnings;

void  rel_log_init            (void);
void  rel_log_reset           (void);
guint rel_log_count_naming    (const char *quoted_name);
char *rel_log_join            (void);

G_END_DECLS
