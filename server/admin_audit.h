/* gtsync-server audit: the record of reads served, for the secretariat (issue 14). */
#ifndef GT_ADMIN_AUDIT_H
#define GT_ADMIN_AUDIT_H

#include "cli.h"

/* Days `audit reads` looks back without --since. */
#define GT_AUDIT_DEFAULT_DAYS 30

/* The `audit reads` command and its options, for admin.c's table. */
extern struct gt_cli_opt gt__audit_reads_opts[];
int gt__cmd_audit_reads(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg);

#endif
