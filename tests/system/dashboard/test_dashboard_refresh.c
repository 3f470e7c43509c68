/* The dashboard's refresh pulls only what changed (issue 11, "a refresh pulls only what
 * changed"): the cached report's cursor goes along, an unchanged report comes back as a small
 * `unchanged` reply that keeps the cache and renews its time, also after a change to another
 * period, and a push to the report's own period brings the new report. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cstore_dash.h"
#include "dashboard.h"
#include "dashfx.h"
#include "error.h"
#include "home.h"

static struct gt_dashfx fx;

static int group_setup(void **state)
{
	gt_dashfx_setup(&fx);
	*state = &fx;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	gt_dashfx_teardown(&fx);
	return 0;
}

/* The cached reply of k in h: its bytes (caller frees) and time. */
static uint8_t *cached(struct gt_home *h, const struct gt_cstore_dash_key *k, size_t *len,
                       int64_t *ms)
{
	uint8_t *bytes = NULL;

	assert_int_equal(gt_cstore_dash_get(h->st, k, &bytes, len, ms, NULL, 0), GT_OK);
	assert_non_null(bytes);
	return bytes;
}

/* 53.71's KK_LP of the cached province report of k in h. */
static double lp_of_5371(struct gt_home *h, const struct gt_cstore_dash_key *k)
{
	size_t len;
	int64_t ms;
	uint8_t *bytes = cached(h, k, &len, &ms);
	Gtsync__V1__ReportReply *r = gtsync__v1__report_reply__unpack(NULL, len, bytes);
	double v = -1;

	assert_non_null(r);
	for (size_t i = 0; i < r->n_children; i++) {
		if (strcmp(r->children[i]->org_unit, "53.71") != 0)
			continue;
		for (size_t j = 0; j < r->children[i]->n_values; j++)
			if (strcmp(r->children[i]->values[j]->data_element, "KK_LP") == 0)
				v = r->children[i]->values[j]->value;
	}
	gtsync__v1__report_reply__free_unpacked(r, NULL);
	free(bytes);
	return v;
}

/* 53.71's operator imports the CSV lines (after the header) from file name and pushes them. */
static void push_csv(const char *name, const char *lines)
{
	const char *push[] = {"push", "--no-retry", NULL};
	char path[GT_PATH_MAX], text[1024];
	const char *imp[] = {"import", path, NULL};
	struct gt_clirun r;

	snprintf(path, sizeof(path), "%s/%s", fx.ts.dir, name);
	snprintf(text, sizeof(text),
	         "dataelement,period,orgunit,categoryoptioncombo,value,comment\n%s", lines);
	gt_clirun_write(path, text);
	gt_clirun(&r, fx.op71, NULL, 60, imp);
	if (r.status != 0)
		fail_msg("import failed:\n%s%s", r.out, r.err);
	gt_clirun_free(&r);
	gt_clirun(&r, fx.op71, NULL, 60, push);
	if (r.status != 0)
		fail_msg("push failed:\n%s%s", r.out, r.err);
	gt_clirun_free(&r);
}

static void refresh_unchanged_then_changed(void **state)
{
	struct gt_cstore_dash_key k = {"53", "KK", "2025"};
	struct gt__dash_fetched first, second, third;
	struct gt_home *h = NULL;
	uint8_t *b1, *b2;
	size_t l1, l2;
	int64_t t1, t2;
	(void)state;

	assert_int_equal(gt_home_open(fx.centre, stderr, &h), GT_OK);
	assert_int_equal(gt__dashboard_fetch(h, &k, &first), GT_OK);
	assert_false(first.unchanged);
	b1 = cached(h, &k, &l1, &t1);
	assert_true(lp_of_5371(h, &k) == 3.0);
	usleep(20000);

	/* Nothing changed: a small reply, the same cached report, a newer time. */
	assert_int_equal(gt__dashboard_fetch(h, &k, &second), GT_OK);
	assert_true(second.unchanged);
	b2 = cached(h, &k, &l2, &t2);
	assert_int_equal(l1, l2);
	assert_memory_equal(b1, b2, l1);
	assert_true(t2 > t1);
	print_message("report 53 KK 2025: full reply %zu bytes, unchanged reply %zu bytes\n",
	              first.reply_bytes, second.reply_bytes);
	assert_true(second.reply_bytes * 10 < first.reply_bytes);
	free(b2);

	/* A change to another period (2022's police reports) does not touch 2025's report: the
	 * cursor is per report, so the refresh stays small (issue 11, "a refresh pulls only
	 * what changed"). */
	push_csv("kk-2022.csv", "KK_LP,202203,53.71,,2,\n");
	assert_int_equal(gt__dashboard_fetch(h, &k, &second), GT_OK);
	assert_true(second.unchanged);
	b2 = cached(h, &k, &l2, &t2);
	assert_int_equal(l1, l2);
	assert_memory_equal(b1, b2, l1);
	free(b2);

	/* 53.71 enters April's police reports: the next refresh brings the new report. */
	push_csv("kk-more.csv", "KK_LP,202504,53.71,,6,\n");
	assert_int_equal(gt__dashboard_fetch(h, &k, &third), GT_OK);
	assert_false(third.unchanged);
	assert_true(third.reply_bytes > second.reply_bytes);
	assert_true(lp_of_5371(h, &k) == 9.0);
	free(b1);
	gt_home_close(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(refresh_unchanged_then_changed),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
