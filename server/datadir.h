/* Checks that the data directory and its secrets are private to the server's user. */
#ifndef GT_DATADIR_H
#define GT_DATADIR_H

#include "log.h"
#include "paths.h"

/*
 * Checks the modes under p (issue 10, item 10): a TLS private key with any group or other
 * permission is refused (GT_EPERM, logged with the fix), as the signing key is; a data
 * directory, or a store file (the database and its -wal and -shm files), with any group or
 * other permission is allowed but logged as a warning with the fix, every start. Missing
 * files are not this check's concern. log is borrowed.
 */
int gt_datadir_check(const struct gt_paths *p, struct gt_log *log);

#endif
