/* ADX periods (issue 15): DHIS2 ids to ISO 8601 start/duration and back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "adx.h"
#include "error.h"

static void test_periods(void **state)
{
	static const char *const pairs[][2] = {{"202607", "2026-07-01/P1M"},
	                                       {"2026Q3", "2026-07-01/P3M"},
	                                       {"2026S2", "2026-07-01/P6M"},
	                                       {"2026", "2026-01-01/P1Y"},
	                                       {"202412", "2024-12-01/P1M"}};
	char buf[32];
	(void)state;

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		assert_int_equal(gt_adx_period(pairs[i][0], buf, sizeof(buf)), GT_OK);
		assert_string_equal(buf, pairs[i][1]);
		assert_int_equal(gt_adx_period_parse(pairs[i][1], buf, sizeof(buf)), GT_OK);
		assert_string_equal(buf, pairs[i][0]);
	}
	/* Not a period's first day, an unknown duration, malformed text. */
	assert_int_equal(gt_adx_period_parse("2026-07-02/P1M", buf, sizeof(buf)), GT_EINVAL);
	assert_int_equal(gt_adx_period_parse("2026-08-01/P3M", buf, sizeof(buf)), GT_EINVAL);
	assert_int_equal(gt_adx_period_parse("2026-07-01/P1W", buf, sizeof(buf)), GT_EINVAL);
	assert_int_equal(gt_adx_period_parse("2026-07-01P1M", buf, sizeof(buf)), GT_EINVAL);
	assert_int_equal(gt_adx_period_parse(NULL, buf, sizeof(buf)), GT_EINVAL);
	assert_int_equal(gt_adx_period("2026X", buf, sizeof(buf)), GT_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_periods),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
