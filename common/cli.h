/* Command-line parsing shared by gtsync-server and gtsync: subcommands, options, --help. */
#ifndef GT_CLI_H
#define GT_CLI_H

#include <stdio.h>

/* One long option. The parser fills value: the argument, "1" for a flag, NULL if absent. */
struct gt_cli_opt {
	const char *name; /* without the leading dashes */
	const char *arg;  /* metavar ("DIR"); NULL for a flag */
	const char *help; /* one sentence */
	const char *value;
};

/* A command of a command table; a command with children is a group ("key add"). */
struct gt_cli_cmd {
	const char *name;
	const char *summary;     /* one line, for the parent's list */
	const char *usage;       /* e.g. "--data DIR FILE.csv" */
	const char *description; /* paragraph for --help; may be NULL */
	struct gt_cli_opt *opts; /* terminated by a zero entry; may be NULL */
	int min_args, max_args;  /* positional argument counts (-1: no maximum) */
	int (*run)(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg);
	const struct gt_cli_cmd *children; /* terminated by a zero entry; run is then NULL */
};

/* Exit codes of the executables. */
#define GT_CLI_EXIT_OK    0
#define GT_CLI_EXIT_FAIL  1
#define GT_CLI_EXIT_USAGE 2

/* Finds the command named by argv[1] (and argv[2] for groups) in cmds, parses its options in
 * place, and calls its run with the remaining positional arguments (argc/argv without the
 * command words and options) and arg. Prints help to stdout for --help/-h and usage errors to
 * stderr, naming prog. Returns the exit code to use. Borrowed: everything. */
int gt_cli_main(const char *prog, const char *summary, const struct gt_cli_cmd *cmds, int argc,
                char **argv, void *arg);

/* Returns the value of option name in cmd's options, or NULL; borrowed. */
const char *gt_cli_get(const struct gt_cli_cmd *cmd, const char *name);

/* Prints a command's help (usage line, description, options) to out. */
void gt_cli_print_help(FILE *out, const char *prog, const char *path, const struct gt_cli_cmd *cmd);

#endif
