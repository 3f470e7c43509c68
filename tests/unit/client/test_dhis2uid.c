/* DHIS2 UIDs derived from codes (issue 15): well-formed, deterministic, kind-separated. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dhis2uid.h"

static void test_form_and_determinism(void **state)
{
	char a[GT_DHIS2UID_LEN], b[GT_DHIS2UID_LEN], c[GT_DHIS2UID_LEN];
	static const char *const codes[] = {"53", "53.71", "KK_LP", "PD", "", "ID", "ACH"};
	(void)state;

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		for (int k = GT_DHIS2_ORGUNIT; k <= GT_DHIS2_COC; k++) {
			gt_dhis2uid((enum gt_dhis2_kind)k, codes[i], a);
			gt_dhis2uid((enum gt_dhis2_kind)k, codes[i], b);
			assert_string_equal(a, b);
			assert_int_equal(strlen(a), 11);
			assert_true(gt_dhis2uid_valid(a));
		}
	}
	/* The kind and the code both change the UID. */
	gt_dhis2uid(GT_DHIS2_ORGUNIT, "53", a);
	gt_dhis2uid(GT_DHIS2_DATAELEMENT, "53", b);
	gt_dhis2uid(GT_DHIS2_ORGUNIT, "54", c);
	assert_string_not_equal(a, b);
	assert_string_not_equal(a, c);
	/* Pinned: a change of the derivation would orphan objects already imported in DHIS2. */
	gt_dhis2uid(GT_DHIS2_ORGUNIT, "53.71", a);
	assert_string_equal(a, "bBJKG5RvLHd");
}

static void test_valid(void **state)
{
	(void)state;
	assert_true(gt_dhis2uid_valid("HllvX50cXC0"));
	assert_false(gt_dhis2uid_valid("0llvX50cXC0")); /* a digit first */
	assert_false(gt_dhis2uid_valid("HllvX50cXC"));  /* ten characters */
	assert_false(gt_dhis2uid_valid("HllvX50cXC0a"));
	assert_false(gt_dhis2uid_valid("Hllv-50cXC0"));
	assert_false(gt_dhis2uid_valid(""));
	assert_false(gt_dhis2uid_valid(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_form_and_determinism),
	    cmocka_unit_test(test_valid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
