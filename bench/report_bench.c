/* Times the report computation alone (no TLS, no loop) on a server's data directory. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "benchdata.h"
#include "cli.h"
#include "crypto.h"
#include "error.h"
#include "orgunit.h"
#include "privacy.h"
#include "report.h"
#include "rules.h"
#include "snapshot.h"
#include "store.h"
#include "wire.h"

#define PROG "report_bench"
/* Timed reports unless --requests says otherwise. */
#define DEF_REQUESTS 20

/* With --changes: a district's key changes one month of the report's own values between two
 * rounds, through the writer's rules on a writing handle (the path a pushed batch takes), so
 * that each cached build is an update from the report's partial sums. */
struct changer {
	struct gt_store *w;
	struct gt_bench_work *work;
	struct gt_key *key;
	char key_id[GT_KEY_ID_LEN + 1];
	char org[GT_ORGUNIT_MAX_LEN];
	uint64_t seq;
};

static void changer_free(struct changer *ch)
{
	gt_store_close(ch->w);
	gt_bench_work_free(ch->work);
	gt_key_free(ch->key);
}

/* Finds the first of the load generator's client keys that acts for a district. */
static int changer_open(struct changer *ch, const char *db, const char *mddir, const char *ds,
                        const char *period)
{
	struct gt_store_key k;

	memset(ch, 0, sizeof(*ch));
	if (gt_store_open(db, 0, &ch->w) != GT_OK ||
	    gt_bench_work_new(mddir, ds, atoi(period), 1, &ch->work) != GT_OK ||
	    ch->work->per_month == 0)
		return GT_EINVAL;
	for (uint32_t i = 0; i < 100; i++) {
		gt_key_free(ch->key);
		ch->key = NULL;
		if (gt_bench_key("1", "client", i, &ch->key) != GT_OK ||
		    gt_key_id(ch->key, ch->key_id) != GT_OK)
			return GT_EINVAL;
		if (gt_store_key_get(ch->w, ch->key_id, &k) == GT_OK &&
		    gt_orgunit_level(k.org_unit) == GT_ORGUNIT_LEVEL_DISTRICT) {
			snprintf(ch->org, sizeof(ch->org), "%s", k.org_unit);
			return gt_store_key_last_sequence(ch->w, ch->key_id, &ch->seq);
		}
	}
	return GT_ENOENT;
}

/* Applies a new revision of month round (of the year) of the district's values. */
static int changer_apply(struct changer *ch, unsigned long round)
{
	/* No metadata: the rules check only the log and the revision rule, as in store_bench. */
	static const struct gt_snapshot no_metadata;
	size_t per = ch->work->per_month, months = ch->work->nslots / per;
	struct gt_rules_batch in = {.snap = &no_metadata};
	struct gt_store_batch_out out;
	struct gt_bench_batch b;
	uint8_t hash[GT_SHA256_LEN];
	gt_batch *dec = NULL;
	int rc;

	rc = gt_bench_batch_build(ch->work, ch->key, ch->key_id, ch->org, ++ch->seq,
	                          round % months * per, per, &b);
	if (rc == GT_OK && (rc = gt_wire_batch_decode(b.bytes, b.len, NULL, &dec)) == GT_OK &&
	    (rc = gt_crypto_sha256(b.bytes, b.len, hash)) == GT_OK &&
	    (rc = gt_store_begin(ch->w)) == GT_OK) {
		in.batch = dec;
		in.bytes = b.bytes;
		in.len = b.len;
		in.signature = b.sig;
		in.sig_len = sizeof(b.sig);
		in.hash = hash;
		in.received_at_ms = (int64_t)time(NULL) * 1000;
		rc = gt_rules_apply(ch->w, &in, &out);
		if (rc == GT_OK && out.values.imported + out.values.updated != per)
			rc = GT_ECONFLICT;
		gt_store_batch_out_free(&out);
		rc = rc == GT_OK ? gt_store_commit(ch->w) : (gt_store_rollback(ch->w), rc);
	}
	gt_wire_batch_free(dec);
	free(b.bytes);
	return rc;
}

/* The cached builds, apart so that a profile counts the warm-up and the timed ones apart. */
__attribute__((noinline)) static int build_cached(struct gt_store *st,
                                                  const struct gt_snapshot *snap, const char *org,
                                                  const char *ds, const char *period, int per_child,
                                                  struct gt_report **out, const char **why)
{
	return gt_report_build(st, snap, org, ds, period, per_child, (int64_t)time(NULL) * 1000,
	                       out, why);
}

__attribute__((noinline)) static int build_cached_timed(struct gt_store *st,
                                                        const struct gt_snapshot *snap,
                                                        const char *org, const char *ds,
                                                        const char *period, int per_child,
                                                        struct gt_report **out, const char **why)
{
	return gt_report_build(st, snap, org, ds, period, per_child, (int64_t)time(NULL) * 1000,
	                       out, why);
}

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
	struct changer ch = {0};
	int changes = gt_cli_get(cmd, "changes") != NULL;
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
	if (changes && changer_open(&ch, db, gt_cli_get_or(cmd, "metadata", GT_BENCH_DEF_METADATA),
	                            ds, period) != GT_OK) {
		fprintf(stderr,
		        PROG " run: --changes: no district key of the load generator in %s\n", db);
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

		if (err == GT_OK && changes && i > 0 && (err = changer_apply(&ch, i)) != GT_OK)
			why = "--changes: the change was not applied";
		t1 = gt_bench_now_us();
		if (err == GT_OK)
			err = (i > 0 ? build_cached_timed : build_cached)(
			    st, snap, org, ds, period, gt_cli_get(cmd, "no-per-child") == NULL, &c,
			    &why);
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
	changer_free(&ch);
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
    {"changes", NULL,
     "before each timed cached build, a district of the load generator's keys changes a month "
     "of the report's own values (opens the store for writing)",
     NULL},
    {"metadata", "DIR", "with --changes: the metadata directory (default metadata)", NULL},
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
