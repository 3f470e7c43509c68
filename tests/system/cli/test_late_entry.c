/* Late entry and acknowledged warnings through gtsync (issue 10 items 13 and 16): the
 * province's aggregator opens a district for late entry; an approver acknowledges a warning
 * rule it has seen. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "clirun.h"
#include "clock.h"
#include "period.h"
#include "testserver.h"

struct fx {
	struct gt_testserver *ts;
	char op[4200], ap[4200], ag[4200];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	void *ts = NULL;

	if (f == NULL || gt_clirun_server_setup(&ts) != 0)
		return -1;
	f->ts = ts;
	gt_clirun_client(f->ts, "op", "53.71", "operator", f->op, sizeof(f->op));
	gt_clirun_client(f->ts, "ap", "53.71", "approver", f->ap, sizeof(f->ap));
	gt_clirun_client(f->ts, "ag", "53", "aggregator", f->ag, sizeof(f->ag));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	return gt_clirun_fx_teardown(f->ts, f);
}

/* Sets one value as the operator and pushes it; the push's output must say needle. */
static void enter(struct fx *f, const char *de, const char *period, const char *value,
                  const char *needle)
{
	const char *set[] = {"set", de, period, "", value, NULL};
	const char *push[] = {"push", "--no-retry", NULL};

	gt_clirun_says(f->op, 0, "queued", set);
	gt_clirun_says(f->op, 0, needle, push);
}

static void late_entry_and_warnings(void **state)
{
	struct fx *f = *state;
	char until[16];
	struct gt_date d;

	assert_int_equal(gt_date_from_days(gt_clock_wall_ms() / 86400000 + 30, &d), 0);
	assert_int_equal(gt_date_format(&d, until, sizeof(until)), 0);
	/* 2023 is not open (the fixture opens 2024-2026): the value is skipped as expired. */
	enter(f, "KK_LP", "202306", "4", "0 values acknowledged, 1 in conflict");
	const char *no_day[] = {"open-late", "--dataset", "KK", "--period",   "2023", "--org",
	                        "53.71",     "--reason",  "ok", "--no-retry", NULL};
	gt_clirun_says(f->ag, 1, "--until needs the last day of late entry", no_day);
	const char *open[] = {"open-late", "--dataset",  "KK",      "--period", "2023",
	                      "--org",     "53.71",      "--until", until,      "--reason",
	                      "telat",     "--no-retry", NULL};
	gt_clirun_says(f->ap, 1, "refused by the server: only the province's aggregator", open);
	gt_clirun_says(f->ag, 0, "open-late KK 2023 53.71: applied; it is in the report's history",
	               open);
	enter(f, "KK_LP", "202306", "5", "1 values acknowledged");

	/* No plenary in the semester: a warning the approver acknowledges. */
	enter(f, "GT_RAPAT_PLENO", "2025S1", "0", "1 values acknowledged");
	enter(f, "GT_RAPAT_SUBGT", "2025S1", "3", "1 values acknowledged");
	const char *approve[] = {"approve", "--dataset",  "GT", "--period",
	                         "2025S1",  "--no-retry", NULL};
	gt_clirun_says(
	    f->ap, 1,
	    "warning GT_R_PLENO fails for 2025S1: Rapat koordinasi pleno yang dilaksanakan (0) < "
	    "1; acknowledge GT_R_PLENO to go ahead (validation_warning)",
	    approve);
	const char *wrong[] = {"approve", "--dataset",     "GT",         "--period",
	                       "2025S1",  "--acknowledge", "KK_R_TOTAL", NULL};
	gt_clirun_says(f->ap, 1, "KK_R_TOTAL is not a validation rule of data set GT", wrong);
	const char *acked[] = {"approve",       "--dataset",  "GT",         "--period", "2025S1",
	                       "--acknowledge", "GT_R_PLENO", "--no-retry", NULL};
	gt_clirun_says(f->ap, 0, "approve GT 2025S1 53.71: applied", acked);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(late_entry_and_warnings, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
