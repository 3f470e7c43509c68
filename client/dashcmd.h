/* The `gtsync dashboard` command: its options and what runs it. */
#ifndef GT_DASHCMD_H
#define GT_DASHCMD_H

#include "cli.h"

/* The command's options (for the command table in commands.c). */
extern struct gt_cli_opt gt_dashcmd_opts[];

/* The command's summary, usage and help for the command table. */
#define GT_DASHCMD_SUMMARY                                                                         \
	"serve the consolidated picture to a browser (the secretariat's dashboard)"
#define GT_DASHCMD_USAGE                                                                           \
	"[--home DIR] [--listen HOST:PORT] [--open] [--dataset DS] [--period P] [--zone Z]"
#define GT_DASHCMD_HELP                                                                            \
	"Pulls consolidated reports through the home's signed session, keeps them in the home's "  \
	"store and serves pages from there (overview, regions with their units below, "            \
	"completeness), so they still show with the server out of reach, with the data's age. "    \
	"Reports are refreshed in the background every --every seconds and at once by the "        \
	"pages' Refresh button. It listens on " GT_DASHBOARD_LISTEN " by default; any address "    \
	"other than loopback is served over TLS (with --tls-cert and --tls-key, or a "             \
	"certificate made in the home) and asks for the login token printed at start. Stop it "    \
	"with Ctrl-C."

/* Runs `gtsync dashboard`; returns the exit status. */
int gt_dashcmd_run(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg);

#endif
