/* Tests for common/roleset.c and common/keylabel.c (issue 13, keys and offices): role lists
 * read and written, AuthResult role sets, labels checked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "keylabel.h"
#include "roleset.h"

#define OP   GT_ROLE_BIT(GTSYNC__V1__ROLE__ROLE_OPERATOR)
#define APPR GT_ROLE_BIT(GTSYNC__V1__ROLE__ROLE_APPROVER)
#define AGGR GT_ROLE_BIT(GTSYNC__V1__ROLE__ROLE_AGGREGATOR)

static void parse_and_format(void **state)
{
	char text[GT_ROLESET_TEXT_MAX];
	unsigned set = 99;
	(void)state;

	assert_int_equal(gt_roleset_parse("operator", &set), 0);
	assert_int_equal(set, OP);
	assert_int_equal(gt_roleset_parse("approver, operator", &set), 0);
	assert_int_equal(set, OP | APPR);
	assert_string_equal(gt_roleset_format(set, text, sizeof(text)), "operator,approver");
	assert_int_equal(gt_roleset_parse("operator,operator", &set), 0);
	assert_int_equal(set, OP);
	assert_int_equal(gt_roleset_parse("operator,", &set), GT_EINVAL);
	assert_int_equal(set, 0);
	assert_int_equal(gt_roleset_parse("", &set), GT_EINVAL);
	assert_int_equal(gt_roleset_parse("operator,admin", &set), GT_EINVAL);
	assert_int_equal(gt_roleset_parse(NULL, &set), GT_EINVAL);
	assert_int_equal(gt_roleset_parse("operator,approver,aggregator,secretariat,reader", &set),
	                 0);
	assert_int_equal(set, GT_ROLESET_ALL);
	assert_string_equal(gt_roleset_format(set, text, sizeof(text)),
	                    "operator,approver,aggregator,secretariat,reader");
	assert_string_equal(gt_roleset_format(0, text, sizeof(text)), "-");
	assert_int_equal(gt_roleset_first(APPR | AGGR), GTSYNC__V1__ROLE__ROLE_APPROVER);
	assert_int_equal(gt_roleset_first(0), 0);
	assert_true(gt_roleset_valid(OP));
	assert_false(gt_roleset_valid(0));
	assert_false(gt_roleset_valid(1)); /* ROLE_UNSPECIFIED is no role */
	assert_true(gt_roleset_text_has("operator,approver", GTSYNC__V1__ROLE__ROLE_APPROVER));
	assert_false(gt_roleset_text_has("operator", GTSYNC__V1__ROLE__ROLE_APPROVER));
	assert_false(gt_roleset_text_has("", GTSYNC__V1__ROLE__ROLE_OPERATOR));
}

static void auth_result_roles(void **state)
{
	Gtsync__V1__AuthResult ar = GTSYNC__V1__AUTH_RESULT__INIT;
	Gtsync__V1__Role list[GT_ROLESET_COUNT];
	(void)state;

	/* A server before role sets names one role. */
	ar.role = GTSYNC__V1__ROLE__ROLE_AGGREGATOR;
	assert_int_equal(gt_roleset_of_auth(&ar), AGGR);
	ar.n_roles = gt_roleset_list(OP | APPR, list);
	ar.roles = list;
	assert_int_equal(ar.n_roles, 2);
	assert_int_equal(list[0], GTSYNC__V1__ROLE__ROLE_OPERATOR);
	assert_int_equal(gt_roleset_of_auth(&ar), OP | APPR);
	ar.role = 0;
	ar.n_roles = 0;
	assert_int_equal(gt_roleset_of_auth(&ar), 0);
}

static void labels(void **state)
{
	char big[GT_KEYLABEL_MAX + 1];
	const char *why;
	(void)state;

	assert_int_equal(gt_keylabel_check("", &why), 0);
	assert_int_equal(
	    gt_keylabel_check("Sekretariat GT Kota Kupang \xe2\x80\x94 operator 1", &why), 0);
	assert_int_equal(gt_keylabel_check("tab\there", &why), GT_EINVAL);
	assert_non_null(strstr(why, "control"));
	assert_int_equal(gt_keylabel_check("\xc2\x85", &why), GT_EINVAL); /* C1 NEL */
	assert_int_equal(gt_keylabel_check("\xff", &why), GT_EINVAL);
	assert_non_null(strstr(why, "UTF-8"));
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(gt_keylabel_check(big, &why), GT_EINVAL);
	big[GT_KEYLABEL_MAX - 1] = '\0';
	assert_int_equal(gt_keylabel_check(big, &why), 0);
	assert_int_equal(gt_keylabel_check(NULL, &why), GT_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(parse_and_format),
	    cmocka_unit_test(auth_result_roles),
	    cmocka_unit_test(labels),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
