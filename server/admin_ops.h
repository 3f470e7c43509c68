/* Internal to gtsync-server's command line: helpers admin.c shares with the command files
 * (admin_ops.c: orgunits list, metadata show, status; backup.c: backup, restore, verify;
 * admin_keys.c: key enrol, list, grant, revoke-role, label). */
#ifndef GT_ADMIN_OPS_H
#define GT_ADMIN_OPS_H

#include "cli.h"
#include "paths.h"

struct gt_store;

/* Resolves --data into p, printing a clear error; GT_EINVAL without --data. */
int gt__admin_data_paths(const struct gt_cli_cmd *cmd, struct gt_paths *p);

/* Opens the store of an initialised data directory for writing, printing a clear error. */
int gt__admin_open_store(const struct gt_cli_cmd *cmd, struct gt_paths *p, struct gt_store **st);

/* Opens the store read-only (a running server is not disturbed), printing a clear error. */
int gt__admin_open_store_ro(const struct gt_cli_cmd *cmd, struct gt_paths *p, struct gt_store **st);

/* The commands, and their options, for admin.c's tables. */
extern struct gt_cli_opt gt__orgunits_list_opts[];
extern struct gt_cli_opt gt__metadata_show_opts[];
extern struct gt_cli_opt gt__status_opts[];
extern struct gt_cli_opt gt__backup_opts[];
extern struct gt_cli_opt gt__restore_opts[];
extern struct gt_cli_opt gt__verify_opts[];
int gt__cmd_orgunits_list(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg);
int gt__cmd_metadata_show(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg);
int gt__cmd_status(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg);
int gt__cmd_backup(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg);
int gt__cmd_restore(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg);
int gt__cmd_verify(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg);

/* admin_keys.c: parses a comma-separated role list into *set, printing a clear error as
 * "gtsync-server CMDNAME: ..." on failure (GT_EINVAL). */
int gt__admin_parse_roles(const char *cmdname, const char *text, unsigned *set);
extern struct gt_cli_opt gt__key_list_opts[];
int gt__cmd_key_list(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg);
int gt__cmd_key_grant(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg);
int gt__cmd_key_revoke_role(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg);
extern struct gt_cli_opt gt__key_enrol_opts[];
int gt__cmd_key_enrol(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg);
int gt__cmd_key_label(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg);

/* admin_mirror.c: the PostgreSQL mirror. */
extern struct gt_cli_opt gt__mirror_opts[];
int gt__cmd_mirror(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg);

#endif
