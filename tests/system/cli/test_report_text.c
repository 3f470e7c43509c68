/* Reports carry the values of elements aggregated "none" (yes/no and text, e.g. GT_SK) as
 * text, so they reach the table, CSV, JSON and DHIS2 outputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "clirun.h"
#include "testserver.h"

static void test_report_has_bool_values(void **state)
{
	struct gt_testserver *ts = *state;
	struct gt_clirun r;
	char home[GT_PATH_MAX];

	gt_clirun_client(ts, "d1", "53.71", "operator", home, sizeof(home));
	const char *set[] = {"set", "GT_SK", "2026S1", "", "true", NULL};
	gt_clirun(&r, home, NULL, 30, set);
	assert_int_equal(r.status, 0);
	gt_clirun_free(&r);
	const char *push[] = {"push", "--no-retry", NULL};
	gt_clirun(&r, home, NULL, 30, push);
	assert_int_equal(r.status, 0);
	gt_clirun_free(&r);
	const char *rep[] = {"report", "--dataset", "GT",  "--period",
	                     "2026S1", "--format",  "csv", NULL};
	gt_clirun(&r, home, NULL, 30, rep);
	assert_int_equal(r.status, 0);
	int found = strstr(r.out, "GT_SK,2026S1,53.71,,true") != NULL;
	if (!found)
		fprintf(stderr, "the report has no GT_SK value:\n%s", r.out);
	gt_clirun_free(&r);
	assert_true(found);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_report_has_bool_values, gt_clirun_server_setup,
	                                    gt_clirun_server_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
