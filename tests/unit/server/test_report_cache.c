/* Tests for server/report_cache.c: a cached report is the report computed in full, always. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crypto.h"
#include "error.h"
#include "privacy.h"
#include "report.h"
#include "rules.h"
#include "snapshot.h"
#include "store.h"
#include "testbatch.h"
#include "testutil.h"
#include "wire.h"

/* 2025-01-01 (before KK's 2024 deadline) and 2025-02-01 (after it), in ms. */
#define ON_TIME_MS (INT64_C(20089) * 86400000)
#define LATE_MS    (INT64_C(20120) * 86400000)
#define STEPS      400

enum { N_UNITS = 5 };
static const char *const unit[N_UNITS] = {"53.71", "53.01", "53", "11.01", "11"};

struct fixture {
	char *dir;
	struct gt_store *w;  /* the writer's handle */
	struct gt_store *rd; /* a reader's handle, where reports are cached */
	struct gt_snapshot *snap;
	char key[N_UNITS][GT_KEY_ID_LEN + 1];
	uint64_t seq, revision, rng;
	int nkeys;
};

static uint32_t rnd(struct fixture *f, uint32_t n)
{
	f->rng = f->rng * 6364136223846793005u + 1442695040888963407u;
	return (uint32_t)(f->rng >> 33) % n;
}

/* Applies one value for unit u through the writer's rules (the path a pushed batch takes). */
static void push_one(struct fixture *f, int u, const char *de, const char *pe, const char *coc,
                     const char *value, const char *comment, int del, int64_t at_ms)
{
	/* A correction: each revision replaces what is stored. */
	struct gt_test_val v = {.de = de,
	                        .pe = pe,
	                        .ou = unit[u],
	                        .coc = coc,
	                        .value = value,
	                        .rev = ++f->revision,
	                        .del = del,
	                        .comment = comment};
	struct gt_test_built b;

	gt_test_build(&b, f->key[u], unit[u], ++f->seq, 0, &v, 1, NULL, 0, NULL, 0);
	gt_test_apply_plain(f->w, &b, at_ms);
	gt_test_unbuild(&b);
}

/* Records a workflow event and, for a state, the unit's new approval state. */
static void workflow(struct fixture *f, int u, const char *ds, const char *pe, int kind, int state)
{
	uint8_t origin[GT_SHA256_LEN] = {0};
	struct gt_store_wfevent_in e = {.dataset = ds,
	                                .period = pe,
	                                .org_unit = unit[u],
	                                .kind = kind,
	                                .key_id = f->key[u],
	                                .at_ms = ON_TIME_MS,
	                                .reason = "",
	                                .origin_batch = origin};

	struct gt_store_scope sc;
	int rc;

	/* A scope, as the writer's rules use: the change counter is saved with the rows. */
	assert_int_equal(gt_store_scope_enter(f->w, &sc), 0);
	rc = gt_store_workflow_event_add(f->w, &e);
	if (rc == 0 && state != 0)
		rc = gt_store_workflow_state_set(f->w, ds, pe, unit[u], state, ON_TIME_MS);
	assert_int_equal(gt_store_scope_leave(f->w, &sc, rc), 0);
}

static void add_key(struct fixture *f, int i)
{
	char other[GT_KEY_ID_LEN + 1];
	uint8_t pub[32];

	memset(pub, i + 1, sizeof(pub));
	assert_int_equal(gt_store_key_add(f->w, pub, unit[i % N_UNITS],
	                                  GTSYNC__V1__ROLE__ROLE_OPERATOR, 1,
	                                  i < N_UNITS ? f->key[i] : other),
	                 0);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct gt_store_import_result res;
	const char *csv = "code,name,level\n53,Nusa Tenggara Timur,province\n"
	                  "53.71,Kota Kupang,district\n53.01,Kabupaten Kupang,district\n"
	                  "11,Aceh,province\n11.01,Kabupaten Simeulue,district\n";
	char *path = NULL;

	assert_non_null(f);
	f->dir = gt_test_tmpdir("report_cache");
	f->rng = 17;
	assert_true(asprintf(&path, "%s/gtsync.db", f->dir) > 0);
	assert_int_equal(gt_store_open(path, 1, &f->w), 0);
	assert_int_equal(gt_store_orgunit_import_buf(f->w, (const uint8_t *)csv, strlen(csv), &res),
	                 0);
	for (int i = 0; i < N_UNITS; i++)
		add_key(f, i);
	f->nkeys = N_UNITS;
	gt_test_store_metadata(f->w);
	assert_int_equal(gt_store_open_readonly(path, &f->rd), 0);
	free(path);
	assert_int_equal(gt_snapshot_load(f->rd, &f->snap), 0);
	assert_true(f->snap->admin_known);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	gt_snapshot_unref(f->snap);
	gt_store_close(f->rd);
	gt_store_close(f->w);
	gt_test_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/* The report packed with a fixed generation time: its whole content, byte for byte. */
static uint8_t *content(struct gt_report *r, size_t *len)
{
	Gtsync__V1__ReportReply *m = gt_report_reply(r);
	uint8_t *buf;

	m->generated_at_ms = 0;
	*len = gtsync__v1__report_reply__get_packed_size(m);
	buf = malloc(*len ? *len : 1);
	assert_non_null(buf);
	gtsync__v1__report_reply__pack(m, buf);
	return buf;
}

struct req {
	const char *org, *ds, *period;
	int per_child, reader;
};

static const struct req reqs[] = {
    {"ID", "KK", "2024", 1, 0},   {"ID", "KK", "2024", 0, 0},    {"53", "KK", "2024Q1", 1, 0},
    {"53", "KK", "202401", 1, 0}, {"ID", "GT", "2024", 1, 0},    {"11", "KK", "2024", 1, 0},
    {"ID", "KK", "2024S2", 1, 0}, {"53.71", "KK", "2024", 0, 0}, {"ID", "KK", "2024", 1, 1},
};

/* Builds every request through the cache and in full on the reader's handle, and demands the
 * same content; returns how many of the cached builds changed since the previous round. */
static size_t compare_all(struct fixture *f, uint8_t **prev, size_t *prev_len)
{
	size_t changed = 0;

	for (size_t i = 0; i < sizeof(reqs) / sizeof(*reqs); i++) {
		const struct req *q = &reqs[i];
		struct gt_report *a = NULL, *b = NULL;
		const char *why = NULL;
		uint8_t *ca, *cb;
		size_t la, lb;

		assert_int_equal(gt_report_build(f->rd, f->snap, q->org, q->ds, q->period,
		                                 q->per_child, 42, &a, &why),
		                 0);
		assert_true(gt_report_reply(a)->generated_at_ms == 42);
		assert_int_equal(gt_report_build_full(f->rd, f->snap, q->org, q->ds, q->period,
		                                      q->per_child, 43, &b, &why),
		                 0);
		/* A reader key's view is made after the cache, from either report alike. */
		if (q->reader) {
			assert_int_equal(
			    gt_privacy_reader_report(f->rd, f->snap, q->ds, q->period, a), 0);
			assert_int_equal(
			    gt_privacy_reader_report(f->rd, f->snap, q->ds, q->period, b), 0);
		}
		ca = content(a, &la);
		cb = content(b, &lb);
		if (la != lb || memcmp(ca, cb, la) != 0)
			fail_msg(
			    "report %s/%s/%s differs from its full computation (%zu/%zu bytes)",
			    q->org, q->ds, q->period, la, lb);
		if (prev[i] == NULL || prev_len[i] != la || memcmp(prev[i], ca, la) != 0)
			changed++;
		free(prev[i]);
		prev[i] = ca;
		prev_len[i] = la;
		free(cb);
		gt_report_free(a);
		gt_report_free(b);
	}
	return changed;
}

/* Issue 17 (national reports exact while data change): random pushes, corrections, deletions,
 * late data, values of other years, nil reports, approvals and admin changes; after each step
 * every cached report has the content of its full recomputation, a reader's view (small cells
 * suppressed after aggregation) included. The cache is seen to serve (hits), to bring changed
 * reports up to date from their partial sums (updates: reading again only the partials and
 * units whose values changed; not marking a changed month's partials, or not counting a
 * changed unit's values again, makes this fail), and the reports are seen to change (the
 * comparison is not between two stale copies). */
static void cached_equals_full_under_changes(void **state)
{
	struct fixture *f = *state;
	static const char *const kk_korban_coc[] = {"PD", "AP", "LD", "AL"};
	static const char *const comments[] = {"", "", "dari laporan polisi", "revisi"};
	static const char *const years[] = {"2024", "2024", "2024", "2023", "2025"};
	static const int states[] = {GTSYNC__V1__APPROVAL_STATE__APPROVAL_SUBMITTED,
	                             GTSYNC__V1__APPROVAL_STATE__APPROVAL_APPROVED,
	                             GTSYNC__V1__APPROVAL_STATE__APPROVAL_ACCEPTED,
	                             GTSYNC__V1__APPROVAL_STATE__APPROVAL_RETURNED};
	static const char *const state_periods[] = {"2024", "2024Q1", "202401", "2024S2"};
	uint8_t *prev[sizeof(reqs) / sizeof(*reqs)] = {0};
	size_t prev_len[sizeof(reqs) / sizeof(*reqs)] = {0};
	size_t changed = 0, unchanged_rounds = 0;
	uint64_t hits0 = gt__report_cache_hits(f->rd), updates0 = gt__report_cache_updates(f->rd);

	compare_all(f, prev, prev_len);
	for (int step = 0; step < STEPS; step++) {
		uint32_t what = rnd(f, 100);
		int u = (int)rnd(f, N_UNITS);
		char pe[16], value[16];

		snprintf(pe, sizeof(pe), "%s%02u", years[rnd(f, 5)], rnd(f, 12) + 1);
		snprintf(value, sizeof(value), "%u", rnd(f, 20));
		if (what < 40)
			push_one(f, u, "KK_KORBAN", pe, kk_korban_coc[rnd(f, 4)], value,
			         comments[rnd(f, 4)], 0, rnd(f, 2) ? ON_TIME_MS : LATE_MS);
		else if (what < 50)
			push_one(f, u, "KK_LP", pe, "", value, comments[rnd(f, 4)], rnd(f, 3) == 0,
			         LATE_MS);
		else if (what < 55)
			push_one(f, u, "GT_SK", rnd(f, 2) ? "2024S1" : "2024S2", "",
			         rnd(f, 2) ? "true" : "false", comments[rnd(f, 4)], 0, ON_TIME_MS);
		else if (what < 60)
			push_one(f, u, "GT_CATATAN", rnd(f, 2) ? "2024S1" : "2024S2", "",
			         rnd(f, 2) ? "rapat tertunda" : "tidak ada kendala", "",
			         rnd(f, 4) == 0, ON_TIME_MS);
		else if (what < 75)
			workflow(f, u, "KK", state_periods[rnd(f, 4)],
			         GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_APPROVE, states[rnd(f, 4)]);
		else if (what < 82)
			workflow(f, u, "KK", rnd(f, 2) ? "202403" : "2024",
			         GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_NIL_REPORT, 0);
		else if (what < 85 && f->nkeys < 40) {
			/* An admin change: a running server loads a new snapshot. */
			add_key(f, f->nkeys++);
			gt_snapshot_unref(f->snap);
			assert_int_equal(gt_snapshot_load(f->rd, &f->snap), 0);
		} /* else nothing changes: the next round must be served from the cache */
		size_t c = compare_all(f, prev, prev_len);
		changed += c;
		unchanged_rounds += c == 0;
	}
	for (size_t i = 0; i < sizeof(reqs) / sizeof(*reqs); i++)
		free(prev[i]);
	/* Both sides of the cache were exercised. */
	assert_true(changed > STEPS / 2);
	assert_true(unchanged_rounds > 10);
	assert_true(gt__report_cache_hits(f->rd) - hits0 > STEPS);
	/* Changed reports were brought up to date from their partial sums, not recomputed. */
	assert_true(gt__report_cache_updates(f->rd) - updates0 > STEPS);
}

/* A change to another year's values, or to another data set's workflow, leaves a report
 * cached; a change to its own leaves it recomputed. */
static void unrelated_changes_keep_the_entry(void **state)
{
	struct fixture *f = *state;
	struct gt_report *r = NULL;
	const char *why = NULL;
	uint64_t h;

	assert_int_equal(gt_report_build(f->rd, f->snap, "ID", "KK", "2024", 1, 1, &r, &why), 0);
	gt_report_free(r);
	h = gt__report_cache_hits(f->rd);
	push_one(f, 0, "KK_KORBAN", "202501", "PD", "5", "", 0, ON_TIME_MS);
	workflow(f, 0, "LY", "2024", GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_APPROVE,
	         GTSYNC__V1__APPROVAL_STATE__APPROVAL_APPROVED);
	assert_int_equal(gt_report_build(f->rd, f->snap, "ID", "KK", "2024", 1, 1, &r, &why), 0);
	gt_report_free(r);
	assert_true(gt__report_cache_hits(f->rd) == h + 1);
	push_one(f, 0, "KK_KORBAN", "202406", "PD", "5", "", 0, ON_TIME_MS);
	assert_int_equal(gt_report_build(f->rd, f->snap, "ID", "KK", "2024", 1, 1, &r, &why), 0);
	assert_true(gt_report_reply(r)->n_totals == 1);
	assert_true(gt_report_reply(r)->totals[0]->value == 5);
	gt_report_free(r);
	assert_true(gt__report_cache_hits(f->rd) == h + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(cached_equals_full_under_changes, setup, teardown),
	    cmocka_unit_test_setup_teardown(unrelated_changes_keep_the_entry, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
