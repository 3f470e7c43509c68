/* Command-line parsing shared by gtsync-server and gtsync: subcommands, options, --help. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "i18n.h"

static int is_help(const char *s)
{
	return strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0 || strcmp(s, "help") == 0;
}

static void print_list(FILE *out, const struct gt_cli_cmd *cmds)
{
	for (const struct gt_cli_cmd *c = cmds; c->name != NULL; c++)
		fprintf(out, "  %-18s %s\n", c->name, c->summary ? _(c->summary) : "");
}

/* Prints a help text paragraph by paragraph, each translated on its own: a description may be
 * marked pieces joined by blank lines (N_("a") "\n\n" N_("b")). */
static void print_paragraphs(FILE *out, const char *text)
{
	char para[GT_CLI_PARA_MAX];

	while (*text != '\0') {
		const char *end = strstr(text, "\n\n");
		size_t len = end != NULL ? (size_t)(end - text) : strlen(text);

		if (len < sizeof(para)) {
			memcpy(para, text, len);
			para[len] = '\0';
			fprintf(out, "\n%s\n", _(para));
		} else {
			fprintf(out, "\n%.*s\n", (int)len, text);
		}
		text += len;
		if (end != NULL)
			text += 2;
	}
}

/* A usage line, translated when the catalogue has it. */
static const char *usage_of(const struct gt_cli_cmd *cmd)
{
	return cmd->usage != NULL ? _(cmd->usage) : "";
}

void gt_cli_print_help(FILE *out, const char *prog, const char *path, const struct gt_cli_cmd *cmd)
{
	fprintf(out, _("usage: %s %s %s\n"), prog, path, usage_of(cmd));
	if (cmd->summary)
		fprintf(out, "\n%s\n", _(cmd->summary));
	if (cmd->description)
		print_paragraphs(out, cmd->description);
	if (cmd->children) {
		fprintf(out, "\n%s\n", _("commands:"));
		print_list(out, cmd->children);
	}
	if (cmd->opts && cmd->opts[0].name) {
		fprintf(out, "\n%s\n", _("options:"));
		for (const struct gt_cli_opt *o = cmd->opts; o->name != NULL; o++) {
			char left[64];
			snprintf(left, sizeof(left), "--%s%s%s", o->name, o->arg ? " " : "",
			         o->arg ? o->arg : "");
			fprintf(out, "  %-24s %s\n", left, o->help ? _(o->help) : "");
		}
	}
	fprintf(out, "  %-24s %s\n", "--help", _("show this help and exit"));
}

const char *gt_cli_get(const struct gt_cli_cmd *cmd, const char *name)
{
	if (cmd->opts == NULL)
		return NULL;
	for (const struct gt_cli_opt *o = cmd->opts; o->name != NULL; o++)
		if (strcmp(o->name, name) == 0)
			return o->value;
	return NULL;
}

const char *gt_cli_get_or(const struct gt_cli_cmd *cmd, const char *name, const char *def)
{
	const char *v = gt_cli_get(cmd, name);

	return v != NULL ? v : def;
}

int gt_cli_get_u32(const struct gt_cli_cmd *cmd, const char *prog, const char *name, uint32_t def,
                   uint32_t min, uint32_t max, uint32_t *out)
{
	const char *v = gt_cli_get(cmd, name);
	char *end;
	unsigned long n;

	*out = def;
	if (v == NULL)
		return GT_OK;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || *end || end == v || n < min || n > max) {
		fprintf(stderr, _("%s: --%s needs a whole number from %u to %u\n"), prog, name, min,
		        max);
		return GT_EINVAL;
	}
	*out = (uint32_t)n;
	return GT_OK;
}

static struct gt_cli_opt *find_opt(const struct gt_cli_cmd *cmd, const char *name, size_t len)
{
	if (cmd->opts == NULL)
		return NULL;
	for (struct gt_cli_opt *o = cmd->opts; o->name != NULL; o++)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	return NULL;
}

/* Parses options out of argv[0..argc), leaving positionals compacted at the front. Returns the
 * positional count, -1 on a usage error (printed), -2 for --help. */
static int parse_opts(const char *prog, const char *path, const struct gt_cli_cmd *cmd, int argc,
                      char **argv)
{
	int npos = 0;
	int only_pos = 0;

	if (cmd->opts)
		for (struct gt_cli_opt *o = cmd->opts; o->name != NULL; o++)
			o->value = NULL;
	for (int i = 0; i < argc; i++) {
		char *a = argv[i];
		if (only_pos || a[0] != '-' || a[1] == '\0') {
			argv[npos++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_pos = 1;
			continue;
		}
		if (is_help(a))
			return -2;
		if (a[1] != '-') {
			fprintf(stderr, _("%s %s: unknown option '%s' (try --help)\n"), prog, path,
			        a);
			return -1;
		}
		const char *name = a + 2;
		const char *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		struct gt_cli_opt *o = find_opt(cmd, name, len);
		if (o == NULL) {
			fprintf(stderr, _("%s %s: unknown option '--%.*s' (try --help)\n"), prog,
			        path, (int)len, name);
			return -1;
		}
		if (o->arg == NULL) {
			if (eq) {
				fprintf(stderr, _("%s %s: option '--%s' takes no value\n"), prog,
				        path, o->name);
				return -1;
			}
			o->value = "1";
		} else if (eq) {
			o->value = eq + 1;
		} else if (i + 1 < argc) {
			o->value = argv[++i];
		} else {
			fprintf(stderr, _("%s %s: option '--%s' needs a value %s\n"), prog, path,
			        o->name, o->arg);
			return -1;
		}
	}
	return npos;
}

static int run_cmd(const char *prog, char *path, size_t pathlen, const struct gt_cli_cmd *cmd,
                   int argc, char **argv, void *arg)
{
	if (cmd->children) {
		if (argc < 1 || is_help(argv[0])) {
			gt_cli_print_help(argc < 1 ? stderr : stdout, prog, path, cmd);
			return argc < 1 ? GT_CLI_EXIT_USAGE : GT_CLI_EXIT_OK;
		}
		for (const struct gt_cli_cmd *c = cmd->children; c->name != NULL; c++) {
			if (strcmp(c->name, argv[0]) == 0) {
				size_t used = strlen(path);
				snprintf(path + used, pathlen - used, " %s", c->name);
				return run_cmd(prog, path, pathlen, c, argc - 1, argv + 1, arg);
			}
		}
		fprintf(stderr, _("%s %s: unknown command '%s'\n\ncommands:\n"), prog, path,
		        argv[0]);
		print_list(stderr, cmd->children);
		return GT_CLI_EXIT_USAGE;
	}
	int npos = parse_opts(prog, path, cmd, argc, argv);
	if (npos == -2) {
		gt_cli_print_help(stdout, prog, path, cmd);
		return GT_CLI_EXIT_OK;
	}
	if (npos < 0)
		return GT_CLI_EXIT_USAGE;
	if (npos < cmd->min_args || (cmd->max_args >= 0 && npos > cmd->max_args)) {
		fprintf(stderr,
		        npos < cmd->min_args
		            ? _("%s %s: expected more arguments\nusage: %s %s %s\n")
		            : _("%s %s: expected fewer arguments\nusage: %s %s %s\n"),
		        prog, path, prog, path, usage_of(cmd));
		return GT_CLI_EXIT_USAGE;
	}
	return cmd->run(cmd, npos, argv, arg);
}

int gt_cli_main(const char *prog, const char *summary, const struct gt_cli_cmd *cmds, int argc,
                char **argv, void *arg)
{
	char path[128] = "";

	if (argc < 2 || is_help(argv[1])) {
		FILE *out = argc < 2 ? stderr : stdout;
		fprintf(out, _("usage: %s COMMAND [OPTIONS]\n"), prog);
		print_paragraphs(out, summary);
		fprintf(out, "\n%s\n", _("commands:"));
		print_list(out, cmds);
		fprintf(out, _("\nRun '%s COMMAND --help' for a command's options.\n"), prog);
		return argc < 2 ? GT_CLI_EXIT_USAGE : GT_CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("%s 0.1.0\n", prog);
		return GT_CLI_EXIT_OK;
	}
	for (const struct gt_cli_cmd *c = cmds; c->name != NULL; c++) {
		if (strcmp(c->name, argv[1]) == 0) {
			snprintf(path, sizeof(path), "%s", c->name);
			return run_cmd(prog, path, sizeof(path), c, argc - 2, argv + 2, arg);
		}
	}
	fprintf(stderr, _("%s: unknown command '%s'\n\ncommands:\n"), prog, argv[1]);
	print_list(stderr, cmds);
	return GT_CLI_EXIT_USAGE;
}
