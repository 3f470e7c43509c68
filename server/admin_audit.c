/* gtsync-server audit: the record of reads served, for the secretariat (issue 14). */
#include "admin_audit.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "admin_ops.h"
#include "clock.h"
#include "error.h"
#include "period.h"
#include "roleset.h"
#include "store.h"
#include "store_reads.h"

#define FAIL  GT_CLI_EXIT_FAIL
#define USAGE GT_CLI_EXIT_USAGE

struct gt_cli_opt gt__audit_reads_opts[] = {
    {"data", "DIR", "the server's data directory", NULL},
    {"since", "YYYY-MM-DD",
     "reads from this day on, UTC (default: the last " GT_CLI_STR(GT_AUDIT_DEFAULT_DAYS) " days)",
     NULL},
    {"key", "KEYID", "only the reads of this key", NULL},
    {0},
};

struct listing {
	struct gt_store *st;
	size_t shown;
};

static int print_read(void *arg, const struct gt_store_read *r)
{
	struct listing *l = arg;
	struct gt_store_key k;
	char when[32], roles[GT_ROLESET_TEXT_MAX];
	time_t t = (time_t)(r->at_ms / 1000);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(when, sizeof(when), "%" PRId64, r->at_ms);
	if (gt_store_key_get(l->st, r->key_id, &k) != GT_OK)
		k.label[0] = '\0';
	printf("%-19s  %-16s  %-6s  %-22s  %-6s  %-6s  %-16s  %-18s  %8" PRIu64 "  %s\n", when,
	       r->key_id, r->key_org, gt_roleset_format(r->roles, roles, sizeof(roles)), r->kind,
	       r->org_unit, r->dataset[0] ? r->dataset : "-", r->period[0] ? r->period : "-",
	       r->items, k.label);
	l->shown++;
	return 0;
}

int gt__cmd_audit_reads(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	const char *since = gt_cli_get(cmd, "since"), *key = gt_cli_get(cmd, "key");
	struct listing l = {0};
	struct gt_paths p;
	int64_t since_ms;
	int rc;
	(void)argc;
	(void)argv;
	(void)arg;

	if (since != NULL) {
		struct gt_date d;
		if (gt_date_parse(since, &d) != GT_OK) {
			fprintf(
			    stderr,
			    "gtsync-server audit reads: --since needs a day as YYYY-MM-DD (UTC), "
			    "not '%s'\n",
			    since);
			return USAGE;
		}
		since_ms = gt_date_to_days(&d) * 86400000;
	} else {
		since_ms = gt_clock_wall_ms() - (int64_t)GT_AUDIT_DEFAULT_DAYS * 86400000;
	}
	if (gt__admin_open_store_ro(cmd, &p, &l.st) != GT_OK)
		return FAIL;
	printf("%-19s  %-16s  %-6s  %-22s  %-6s  %-6s  %-16s  %-18s  %8s  %s\n", "TIME (UTC)",
	       "KEY ID", "ORG", "ROLES", "READ", "OF", "DATA SET", "PERIOD", "VALUES", "LABEL");
	rc = gt_store_reads_list(l.st, since_ms, key, print_read, &l);
	if (rc != GT_OK)
		fprintf(stderr, "gtsync-server audit reads: cannot read the read log: %s\n",
		        gt_store_errmsg(l.st));
	else if (l.shown == 0)
		printf("(no read recorded since then)\n");
	gt_store_close(l.st);
	return rc == GT_OK ? 0 : FAIL;
}
