/* gtsync-server's commands: init, orgunits, metadata, key, rebuild, run. */
#ifndef GT_ADMIN_H
#define GT_ADMIN_H

/* Runs gtsync-server's command line; returns the process exit code. */
int gt_admin_main(int argc, char **argv);

#endif
