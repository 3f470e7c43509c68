/* Tests for client/rmodel.c's handling of cells withheld from a reader (issue 14): a withheld
 * cell has no figure (not 0), is written with the one mark, and no own part is derived
 * around it. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "rmodel.h"

static void withheld_cells(void **state)
{
	Gtsync__V1__ReportValue tot, kid, shown;
	Gtsync__V1__ReportValue *totals[] = {&tot}, *kids[] = {&kid};
	Gtsync__V1__ChildReport ch = GTSYNC__V1__CHILD_REPORT__INIT;
	Gtsync__V1__ChildReport *chp[] = {&ch};
	Gtsync__V1__ReportReply rep = GTSYNC__V1__REPORT_REPLY__INIT;
	char num[GT_RMODEL_NUM_LEN];
	(void)state;

	gtsync__v1__report_value__init(&tot);
	gtsync__v1__report_value__init(&kid);
	gtsync__v1__report_value__init(&shown);
	tot.data_element = kid.data_element = shown.data_element = "KK_KORBAN";
	tot.category_option_combo = kid.category_option_combo = shown.category_option_combo = "AP";
	tot.value = 9;
	tot.count = 3;
	kid.suppressed = 1; /* value 0, count 0 as the server sends it */
	shown.value = 4;
	shown.count = 1;
	ch.org_unit = "53.71";
	ch.values = kids;
	ch.n_values = 1;
	rep.totals = totals;
	rep.n_totals = 1;
	rep.children = chp;
	rep.n_children = 1;

	assert_true(gt_rmodel_find(totals, 1, "KK_KORBAN", "AP") == 9.0);
	assert_true(isnan(gt_rmodel_find(kids, 1, "KK_KORBAN", "AP")));
	assert_string_equal(gt_rmodel_value_text(&kid, num), GT_RMODEL_WITHHELD);
	assert_string_equal(gt_rmodel_value_text(&shown, num), "4");
	/* Without the mark, 9 - 0 would pass for the province's own figure. */
	assert_true(isnan(gt_rmodel_own(&rep, "KK_KORBAN", "AP")));
	assert_false(gt_rmodel_has_own(&rep));
	kid.suppressed = 0;
	kid.value = 5;
	kid.count = 2;
	assert_true(gt_rmodel_own(&rep, "KK_KORBAN", "AP") == 4.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(withheld_cells),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
