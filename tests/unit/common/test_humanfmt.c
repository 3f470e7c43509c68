/* Tests of common/humanfmt: periods, numbers and times as people write them, in id and en. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "humanfmt.h"
#include "i18n.h"

static int setup(void **state)
{
	(void)state;
	unsetenv(GT_LOCALEDIR_ENV); /* the build tree's compiled catalogues */
	gt_i18n_setup();
	return gt_i18n_use(GT_LANG_ID);
}

static const char *period(const char *id)
{
	static char buf[GT_HUMAN_MAX];
	assert_int_equal(gt_human_period(id, buf, sizeof(buf)), GT_OK);
	return buf;
}

static const char *range(const char *a, const char *b)
{
	static char buf[GT_HUMAN_MAX];
	assert_int_equal(gt_human_period_range(a, b, buf, sizeof(buf)), GT_OK);
	return buf;
}

static const char *number(double v)
{
	static char buf[GT_HUMAN_MAX];
	assert_int_equal(gt_human_number(v, buf, sizeof(buf)), GT_OK);
	return buf;
}

static void test_periods(void **state)
{
	char small[6];
	(void)state;

	assert_int_equal(gt_i18n_use(GT_LANG_ID), GT_OK);
	assert_string_equal(period("202611"), "November 2026");
	assert_string_equal(period("202608"), "Agustus 2026");
	assert_string_equal(period("2026Q3"), "Triwulan 3 2026");
	assert_string_equal(period("2025S2"), "Semester 2 2025");
	assert_string_equal(period("2025"), "2025");
	assert_string_equal(period("2025X"), "2025X"); /* not a period: as it is */
	assert_int_equal(gt_i18n_use(GT_LANG_EN), GT_OK);
	assert_string_equal(period("202608"), "August 2026");
	assert_string_equal(period("2026Q3"), "Quarter 3 2026");
	assert_int_equal(gt_human_period("202609", small, sizeof(small)), GT_ETOOBIG);
	assert_int_equal(strlen(small), sizeof(small) - 1);
}

static void test_ranges(void **state)
{
	char buf[GT_HUMAN_MAX];
	(void)state;

	assert_int_equal(gt_i18n_use(GT_LANG_ID), GT_OK);
	assert_string_equal(range("202501", "202512"), "Januari\u2013Desember 2025");
	assert_string_equal(range("2025", "2025"), "Januari\u2013Desember 2025");
	assert_string_equal(range("2025Q4", "2026Q1"), "Oktober 2025\u2013Maret 2026");
	assert_string_equal(range("202603", "202603"), "Maret 2026");
	assert_int_equal(gt_human_period_range("202603", "202602", buf, sizeof(buf)), GT_EINVAL);
	assert_int_equal(gt_human_period_range("x", "202602", buf, sizeof(buf)), GT_EINVAL);
}

static void test_numbers(void **state)
{
	(void)state;

	assert_int_equal(gt_i18n_use(GT_LANG_ID), GT_OK);
	assert_string_equal(number(4330), "4.330");
	assert_string_equal(number(999), "999");
	assert_string_equal(number(1000), "1.000");
	assert_string_equal(number(2.5), "2,5");
	assert_string_equal(number(-1234567.25), "-1.234.567,25");
	assert_string_equal(number(0), "0");
	assert_string_equal(number(-0.0), "0");
	assert_string_equal(number(0.125), "0,125");
	assert_int_equal(gt_i18n_use(GT_LANG_EN), GT_OK);
	assert_string_equal(number(4330), "4,330");
	assert_string_equal(number(2.5), "2.5");
	assert_string_equal(number(1e20), "1e+20");
}

static void test_times(void **state)
{
	char buf[GT_HUMAN_MAX];
	struct gt_date d = {2026, 12, 3};
	int off;
	/* 2026-12-03 06:05:00 UTC. */
	const int64_t t = 1796277900000LL;
	(void)state;

	assert_int_equal(gt_human_zone_offset("WITA", &off), GT_OK);
	assert_int_equal(off, 480);
	assert_int_equal(gt_human_zone_offset("WIT", &off), GT_OK);
	assert_int_equal(off, 540);
	assert_int_equal(gt_human_zone_offset("CET", &off), GT_EINVAL);
	assert_int_equal(gt_i18n_use(GT_LANG_ID), GT_OK);
	assert_int_equal(gt_human_time(t, "WITA", buf, sizeof(buf)), GT_OK);
	assert_string_equal(buf, "3 Des 2026 14:05 WITA");
	assert_int_equal(gt_human_time(t, "WIB", buf, sizeof(buf)), GT_OK);
	assert_string_equal(buf, "3 Des 2026 13:05 WIB");
	assert_int_equal(gt_human_time(t - 7 * 3600000LL, "WIT", buf, sizeof(buf)), GT_OK);
	assert_string_equal(buf, "3 Des 2026 08:05 WIT");
	assert_int_equal(gt_human_date(&d, buf, sizeof(buf)), GT_OK);
	assert_string_equal(buf, "3 Desember 2026");
	assert_int_equal(gt_i18n_use(GT_LANG_EN), GT_OK);
	assert_int_equal(gt_human_time(t, "WITA", buf, sizeof(buf)), GT_OK);
	assert_string_equal(buf, "3 Dec 2026 14:05 WITA");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_periods),
	    cmocka_unit_test(test_ranges),
	    cmocka_unit_test(test_numbers),
	    cmocka_unit_test(test_times),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
