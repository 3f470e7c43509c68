/* The merge rule shared by the server's store and every verifier (issue 14, gtsync verify): the
 * revision rule and the numbers a report sums. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "merge.h"

static void the_higher_revision_wins(void **state)
{
	struct gt_merge_held held = {1, 5, {0}};
	uint8_t low[GT_SHA256_LEN], high[GT_SHA256_LEN];
	(void)state;

	memset(low, 0x11, sizeof(low));
	memset(high, 0xee, sizeof(high));
	memcpy(held.origin_batch, high, sizeof(high));
	assert_int_equal(gt_merge_wins(&held, 6, low), 1);
	assert_int_equal(gt_merge_wins(&held, 4, high), 0);
	/* An equal revision goes to the larger batch hash, whatever the order of arrival. */
	assert_int_equal(gt_merge_wins(&held, 5, low), 0);
	memcpy(held.origin_batch, low, sizeof(low));
	assert_int_equal(gt_merge_wins(&held, 5, high), 1);
	/* The same batch again (a later item of it) wins. */
	assert_int_equal(gt_merge_wins(&held, 5, low), 1);
	/* Nothing held: anything wins. */
	held.exists = 0;
	assert_int_equal(gt_merge_wins(&held, 0, low), 1);
}

static void plain_decimals_are_numbers(void **state)
{
	static const char *const yes[] = {"0", "12", "-3", "+4", "2.5", ".5", "5.", "1e3", "1E-2"};
	static const char *const no[] = {"",   "abc", "0x10", "inf", "nan", " 1",
	                                 "1 ", "1e",  "e5",   "-",   "1e+", "1.2.3"};
	double v;
	(void)state;

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		assert_int_equal(gt_merge_number(yes[i], &v), 1);
	assert_int_equal(gt_merge_number("2.5", &v), 1);
	assert_true(v == 2.5);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		v = 7;
		assert_int_equal(gt_merge_number(no[i], &v), 0);
		assert_true(v == 0);
	}
	assert_int_equal(gt_merge_number(NULL, &v), 0);
	/* Integers, read without strtod up to 15 digits, are what strtod reads. */
	static const char *const ints[] = {"7",
	                                   "-0",
	                                   "+12",
	                                   "000123",
	                                   "-98765",
	                                   "999999999999999",
	                                   "1000000000000000",
	                                   "-123456789012345",
	                                   "12345678901234567890"};
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		assert_int_equal(gt_merge_number(ints[i], &v), 1);
		assert_memory_equal(&v, &(double){strtod(ints[i], NULL)}, sizeof(v));
	}
	/* Beyond a double: not a finite number. */
	assert_int_equal(gt_merge_number("1e999", &v), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(the_higher_revision_wins),
	    cmocka_unit_test(plain_decimals_are_numbers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
