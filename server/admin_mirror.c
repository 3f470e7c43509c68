/* gtsync-server mirror: the command that keeps a PostgreSQL copy of the store current. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "admin_ops.h"
#include "error.h"
#include "mirror.h"
#include "paths.h"

#define FAIL  GT_CLI_EXIT_FAIL
#define USAGE GT_CLI_EXIT_USAGE

struct gt_cli_opt gt__mirror_opts[] = {
    {"data", "DIR", "the server's data directory", NULL},
    {"postgres", "CONNINFO",
     "the PostgreSQL database, as a libpq connection string (\"host=127.0.0.1 port=5432 "
     "dbname=gtsync user=gtsync\") or URI; the password from ~/.pgpass or PGPASSWORD",
     NULL},
    {"once", NULL, "catch up with the store, then exit (for cron or a check)", NULL},
    {"chunk", "ROWS", "rows per PostgreSQL transaction (default 5000)", NULL},
    {"interval-ms", "MS", "the pause between looks at the store when nothing is new (default 200)",
     NULL},
    {0},
};

/* A whole number option in [min, max], or def when absent. */
static int num_opt(const struct gt_cli_cmd *cmd, const char *name, unsigned long min,
                   unsigned long max, unsigned long def, unsigned long *out)
{
	const char *v = gt_cli_get(cmd, name);
	char *end;

	*out = def;
	if (v == NULL)
		return GT_OK;
	errno = 0;
	unsigned long n = strtoul(v, &end, 10);
	if (errno || *end || end == v || v[0] == '-' || n < min || n > max) {
		fprintf(stderr, "gtsync-server mirror: --%s needs a whole number from %lu to %lu\n",
		        name, min, max);
		return GT_EINVAL;
	}
	*out = n;
	return GT_OK;
}

int gt__cmd_mirror(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	struct gt_mirror_cfg cfg = {0};
	struct gt_mirror_stats stats;
	struct gt_paths p;
	unsigned long chunk, interval;
	(void)argc;
	(void)argv;
	(void)arg;

	cfg.conninfo = gt_cli_get(cmd, "postgres");
	if (cfg.conninfo == NULL) {
		fprintf(stderr,
		        "gtsync-server mirror: --postgres CONNINFO is required (see --help)\n");
		return USAGE;
	}
	if (gt__admin_data_paths(cmd, &p) != GT_OK)
		return USAGE;
	if (num_opt(cmd, "chunk", 1, GT_MIRROR_MAX_CHUNK, GT_MIRROR_DEFAULT_CHUNK, &chunk) !=
	        GT_OK ||
	    num_opt(cmd, "interval-ms", 10, 60000, GT_MIRROR_DEFAULT_INTERVAL_MS, &interval) !=
	        GT_OK)
		return USAGE;
	cfg.db_path = p.db;
	cfg.chunk_rows = (unsigned)chunk;
	cfg.interval_ms = (int64_t)interval;
	cfg.once = gt_cli_get(cmd, "once") != NULL;
	/* Progress lines reach a log file as they happen, not when a buffer fills. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (gt_mirror_run(&cfg, stdout, &stats) != GT_OK)
		return FAIL;
	return 0;
}
