/* Tests for common/digest.c: the canonical approval digest and its order checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "crypto.h"
#include "digest.h"
#include "error.h"

static void matches_the_documented_listing(void **state)
{
	const char listing[] = "gtsync-approval-v1\nKK\t2024\t53\n"
	                       "KK_KORBAN\t202401\t53.71\tAP\t2\n"
	                       "KK_KORBAN\t202401\t53.71\tPD\t4\n"
	                       "KK_LP\t202401\t53.71\t\t3\n";
	uint8_t want[32], got[32];
	struct gt_digest *d;
	uint64_t n;
	(void)state;

	gt_crypto_sha256(listing, strlen(listing), want);
	assert_int_equal(gt_digest_begin("KK", "2024", "53", &d), 0);
	assert_int_equal(gt_digest_add(d, "KK_KORBAN", "202401", "53.71", "AP", "2"), 0);
	assert_int_equal(gt_digest_add(d, "KK_KORBAN", "202401", "53.71", "PD", "4"), 0);
	assert_int_equal(gt_digest_add(d, "KK_LP", "202401", "53.71", "", "3"), 0);
	assert_int_equal(gt_digest_end(d, got, &n), 0);
	assert_int_equal(n, 3);
	assert_memory_equal(want, got, 32);
	gt_digest_free(d);
}

static void any_change_changes_it(void **state)
{
	uint8_t a[32], b[32];
	struct gt_digest *d;
	(void)state;

	assert_int_equal(gt_digest_begin("KK", "2024", "53", &d), 0);
	assert_int_equal(gt_digest_add(d, "KK_LP", "202401", "53.71", "", "3"), 0);
	assert_int_equal(gt_digest_end(d, a, NULL), 0);
	gt_digest_free(d);
	assert_int_equal(gt_digest_begin("KK", "2024", "53", &d), 0);
	assert_int_equal(gt_digest_add(d, "KK_LP", "202401", "53.71", "", "4"), 0);
	assert_int_equal(gt_digest_end(d, b, NULL), 0);
	gt_digest_free(d);
	assert_memory_not_equal(a, b, 32);
	/* Another org unit in the header changes it too. */
	assert_int_equal(gt_digest_begin("KK", "2024", "36", &d), 0);
	assert_int_equal(gt_digest_add(d, "KK_LP", "202401", "53.71", "", "3"), 0);
	assert_int_equal(gt_digest_end(d, b, NULL), 0);
	gt_digest_free(d);
	assert_memory_not_equal(a, b, 32);
}

static void multiline_values_are_escaped(void **state)
{
	const char listing[] = "gtsync-approval-v1\nGT\t2025\t53.71\n"
	                       "GT_CATATAN\t2025S1\t53.71\t\tbaris satu\\nbaris dua\\t\\\\x\\r\n";
	uint8_t want[32], got[32], other[32];
	struct gt_digest *d;
	(void)state;

	gt_crypto_sha256(listing, strlen(listing), want);
	assert_int_equal(gt_digest_begin("GT", "2025", "53.71", &d), 0);
	assert_int_equal(
	    gt_digest_add(d, "GT_CATATAN", "2025S1", "53.71", "", "baris satu\nbaris dua\t\\x\r"),
	    0);
	assert_int_equal(gt_digest_end(d, got, NULL), 0);
	gt_digest_free(d);
	assert_memory_equal(want, got, 32);
	/* The escaped spelling typed literally is another value, with another digest. */
	assert_int_equal(gt_digest_begin("GT", "2025", "53.71", &d), 0);
	assert_int_equal(
	    gt_digest_add(d, "GT_CATATAN", "2025S1", "53.71", "", "baris satu\\nbaris dua\t\\x\r"),
	    0);
	assert_int_equal(gt_digest_end(d, other, NULL), 0);
	gt_digest_free(d);
	assert_memory_not_equal(got, other, 32);
}

static void order_and_fields_checked(void **state)
{
	struct gt_digest *d;
	uint8_t out[32];
	(void)state;

	assert_int_equal(gt_digest_begin("KK", "2024", "53", &d), 0);
	assert_int_equal(gt_digest_add(d, "KK_LP", "202402", "53.71", "", "3"), 0);
	/* Out of order, and a duplicate key. */
	assert_int_equal(gt_digest_add(d, "KK_LP", "202401", "53.71", "", "3"), GT_EINVAL);
	assert_int_equal(gt_digest_end(d, out, NULL), GT_EINVAL);
	gt_digest_free(d);
	assert_int_equal(gt_digest_begin("KK", "2024", "53", &d), 0);
	assert_int_equal(gt_digest_add(d, "KK_LP", "202401", "53.71", "", "3"), 0);
	assert_int_equal(gt_digest_add(d, "KK_LP", "202401", "53.71", "", "3"), GT_EINVAL);
	gt_digest_free(d);
	assert_int_equal(gt_digest_begin("KK", "2024", "53", &d), 0);
	assert_int_equal(gt_digest_add(d, "KK\tLP", "202401", "53.71", "", "3"), GT_EINVAL);
	gt_digest_free(d);
	assert_int_equal(gt_digest_begin("K\nK", "2024", "53", &d), GT_EINVAL);
	assert_true(gt_digest_key_cmp("A", "1", "x", "", "A", "1", "x", "B") < 0);
	assert_true(gt_digest_key_cmp("B", "1", "x", "", "A", "2", "y", "Z") > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(matches_the_documented_listing),
	    cmocka_unit_test(any_change_changes_it),
	    cmocka_unit_test(multiline_values_are_escaped),
	    cmocka_unit_test(order_and_fields_checked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
