/* Command-line parsing shared by gtsync-server and gtsync: subcommands, options, --help. */
#ifndef GT_CLI_H
#define GT_CLI_H

#include <stdint.h>
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

/* The longest paragraph of a help text translated as a whole (longer ones print as written). */
#define GT_CLI_PARA_MAX 4096

/* The text of a macro's value, for help texts that show the default the code uses:
 * "(default " GT_CLI_STR(GT_BACKOFF_TRIES) ")". The macro must be a plain literal. */
#define GT_CLI_STR(x)  GT_CLI_STR_(x)
#define GT_CLI_STR_(x) #x

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

/* Returns the value of option name in cmd's options, or def when it is absent; borrowed. */
const char *gt_cli_get_or(const struct gt_cli_cmd *cmd, const char *name, const char *def);

/* Reads option name of cmd as a whole number from min to max into *out, def when the option
 * is absent. For anything else prints "PROG: --NAME needs a whole number from MIN to MAX" to
 * stderr and returns GT_EINVAL with *out = def. */
int gt_cli_get_u32(const struct gt_cli_cmd *cmd, const char *prog, const char *name, uint32_t def,
                   uint32_t min, uint32_t max, uint32_t *out);

/* Prints a command's help (usage line, description, options) to out. */
void gt_cli_print_help(FILE *out, const char *prog, const char *path, const struct gt_cli_cmd *cmd);

#endif
