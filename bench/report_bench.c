/* Times the report computation alone (no TLS, no loop) on a server's data directory. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "benchdata.h"
#include "cli.h"
#include "error.h"
#include "privacy.h"
#include "report.h"
#include "snapshot.h"
#include "store.h"

#define PROG "report_bench"
/* Timed reports unless --requests says otherwise. */
#define DEF_REQUESTS 20

static int cmd_run(const struct gt_cli_cmd *cmd, int argc, char **argv, void *arg)
{
	const char *data = gt_cli_get(cmd, "data"), *v = gt_cli_get(cmd, "requests");
	const char *org = gt_cli_get(cmd, "org"), *ds = gt_cli_get(cmd, "dataset");
	const char *period = gt_cli_get(cmd, "period");
	struct gt_store *st = NULL;
	struct gt_snapshot *snap = NULL;
	uint64_t *lat = NULL, *rlat = NULL, *clat = NULL;
	int reader = gt_cli_get(cmd, "reader") != NULL;
	unsigned long n = DEF_REQUESTS;
	char db[GT_PATH_MAX];
	int rc = GT_CLI_EXIT_FAIL;
	(void)argc;
	(void)argv;
	(void)arg;

	if (data == NULL) {
		fprintf(stderr, PROG " run: --data is required\n");
		return GT_CLI_EXIT_USAGE;
	}
	if (v != NULL) {
		char *end;
		errno = 0;
		n = strtoul(v, &end, 10);
		if (errno || *end || n == 0 || n > 100000) {
			fprintf(stderr, PROG " run: --requests needs 1 to 100000\n");
			return GT_CLI_EXIT_USAGE;
		}
	}
	org = org ? org : GT_BENCH_DEF_ORG;
	ds = ds ? ds : GT_BENCH_DEF_DATASET;
	period = period ? period : GT_BENCH_DEF_PERIOD;
	snprintf(db, sizeof(db), "%s/gtsync.db", data);
	lat = calloc(n, sizeof(*lat));
	rlat = calloc(n, sizeof(*rlat));
	clat = calloc(n, sizeof(*clat));
	if (lat == NULL || rlat == NULL || clat == NULL ||
	    gt_store_open_readonly(db, &st) != GT_OK || gt_snapshot_load(st, &snap) != GT_OK) {
		fprintf(stderr, PROG " run: cannot open %s\n", db);
		goto out;
	}
	/* One untimed report first, as a server's reader handle has its cache warm. Each round
	 * builds the report in full (the computation from the stored values) and then through
	 * the handle's report cache (what the server does), so both are measured side by side
	 * under the same load. */
	for (unsigned long i = 0; i <= n; i++) {
		struct gt_report *r = NULL, *c = NULL;
		const char *why = NULL;
		uint64_t t0 = gt_bench_now_us(), t1;
		int err = gt_report_build_full(st, snap, org, ds, period,
		                               gt_cli_get(cmd, "no-per-child") == NULL,
		                               (int64_t)time(NULL) * 1000, &r, &why);

		t1 = gt_bench_now_us();
		if (err == GT_OK)
			err = gt_report_build(st, snap, org, ds, period,
			                      gt_cli_get(cmd, "no-per-child") == NULL,
			                      (int64_t)time(NULL) * 1000, &c, &why);
		if (err != GT_OK) {
			fprintf(stderr, PROG " run: %s\n", why ? why : gt_strerror(err));
			gt_report_free(r);
			goto out;
		}
		if (i > 0) {
			lat[i - 1] = t1 - t0;
			clat[i - 1] = gt_bench_now_us() - t1;
		}
		gt_report_free(c);
		/* The reader's view on top (issue 14): the whole tree's suppression pattern. */
		if (reader) {
			t0 = gt_bench_now_us();
			err = gt_privacy_reader_report(st, snap, ds, period, r);
			if (err != GT_OK) {
				fprintf(stderr, PROG " run: the reader's view: %s\n",
				        gt_strerror(err));
				gt_report_free(r);
				goto out;
			}
			if (i > 0)
				rlat[i - 1] = lat[i - 1] + gt_bench_now_us() - t0;
		}
		gt_report_free(r);
	}
	gt_bench_sort_u64(lat, n);
	gt_bench_sort_u64(clat, n);
	printf("RESULT requests=%lu build_p50_ms=%.3f build_p99_ms=%.3f build_min_ms=%.3f\n", n,
	       (double)gt_bench_percentile(lat, n, 50) / 1000.0,
	       (double)gt_bench_percentile(lat, n, 99) / 1000.0, (double)lat[0] / 1000.0);
	printf("RESULT cached_p50_ms=%.3f cached_p99_ms=%.3f cached_over_full_p50=%.4f\n",
	       (double)gt_bench_percentile(clat, n, 50) / 1000.0,
	       (double)gt_bench_percentile(clat, n, 99) / 1000.0,
	       (double)gt_bench_percentile(clat, n, 50) /
	           (double)(gt_bench_percentile(lat, n, 50) ? gt_bench_percentile(lat, n, 50) : 1));
	if (reader) {
		gt_bench_sort_u64(rlat, n);
		printf("RESULT reader_p50_ms=%.3f reader_p99_ms=%.3f reader_ratio_p50=%.2f\n",
		       (double)gt_bench_percentile(rlat, n, 50) / 1000.0,
		       (double)gt_bench_percentile(rlat, n, 99) / 1000.0,
		       (double)gt_bench_percentile(rlat, n, 50) /
		           (double)(gt_bench_percentile(lat, n, 50)
		                        ? gt_bench_percentile(lat, n, 50)
		                        : 1));
	}
	rc = GT_CLI_EXIT_OK;
out:
	gt_snapshot_unref(snap);
	gt_store_close(st);
	free(lat);
	free(rlat);
	free(clat);
	return rc;
}

static struct gt_cli_opt run_opts[] = {
    {"data", "DIR", "a server's data directory (read only)", NULL},
    {"org", "CODE", "org unit (default " GT_BENCH_DEF_ORG ")", NULL},
    {"dataset", "CODE", "data set (default " GT_BENCH_DEF_DATASET ")", NULL},
    {"period", "ID", "period (default " GT_BENCH_DEF_PERIOD ")", NULL},
    {"no-per-child", NULL, "omit the per-child breakdown", NULL},
    {"reader", NULL, "also time a reader key's view of each report (small cells withheld)", NULL},
    {"requests", "N", "timed reports (default " GT_CLI_STR(DEF_REQUESTS) ")", NULL},
    {0},
};

static const struct gt_cli_cmd cmds[] = {
    {"run", "build reports in process and time them", "--data DIR [--org ID] [--dataset KK]",
     "Opens the store read-only and builds the report again and again, each time in full "
     "from the stored values (build_*) and then through the handle's report cache as the "
     "server does (cached_*); what the server adds on top (TLS, framing, the thread pool) "
     "is not counted.",
     run_opts, 0, 0, cmd_run, NULL},
    {0},
};

int main(int argc, char **argv)
{
	return gt_cli_main(PROG, "Times gtsync's consolidated report computation.", cmds, argc,
	                   argv, NULL);
}
