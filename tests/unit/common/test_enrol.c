/* Tests for common/enrol.c (issue 13, enrolment without copying base64 by hand): a request
 * line written and read back, every field checked, mistakes caught by the check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "enrol.h"
#include "error.h"
#include "roleset.h"

#define OP   GT_ROLE_BIT(GTSYNC__V1__ROLE__ROLE_OPERATOR)
#define APPR GT_ROLE_BIT(GTSYNC__V1__ROLE__ROLE_APPROVER)

static void make_line(char *line, size_t cap, struct gt_enrol *e)
{
	uint8_t pub[GT_ED25519_PUB_LEN];

	for (size_t i = 0; i < sizeof(pub); i++)
		pub[i] = (uint8_t)(i * 7 + 1);
	assert_int_equal(gt_enrol_make(pub, "53.71", OP | APPR, e), 0);
	assert_int_equal(gt_enrol_format(e, line, cap), 0);
}

static void round_trip(void **state)
{
	char line[GT_ENROL_LINE_MAX], msg[GT_ENROL_LINE_MAX + 64];
	struct gt_enrol e, back;
	const char *why;
	(void)state;

	make_line(line, sizeof(line), &e);
	assert_true(strncmp(line, GT_ENROL_MAGIC " ", strlen(GT_ENROL_MAGIC) + 1) == 0);
	assert_non_null(strstr(line, " 53.71 operator,approver "));
	assert_int_equal(strlen(e.check), GT_ENROL_CHECK_LEN);
	assert_true(e.check[4] == '-' && e.check[9] == '-');
	assert_non_null(strstr(line, e.check));
	assert_int_equal(gt_enrol_parse(line, strlen(line), &back, &why), 0);
	assert_string_equal(back.key_id, e.key_id);
	assert_string_equal(back.org_unit, "53.71");
	assert_int_equal(back.roles, OP | APPR);
	assert_memory_equal(back.public_key, e.public_key, GT_ED25519_PUB_LEN);
	/* Inside a message, indented, with a CR at its end. */
	snprintf(msg, sizeof(msg), "Dear centre,\r\n\n   %s  \r\nThanks\n", line);
	assert_int_equal(gt_enrol_parse(msg, strlen(msg), &back, &why), 0);
	assert_string_equal(back.key_id, e.key_id);
}

/* One changed field: refused, with a sentence saying which. */
static void refuse(const char *line, const char *needle)
{
	struct gt_enrol e;
	const char *why = NULL;

	assert_int_equal(gt_enrol_parse(line, strlen(line), &e, &why), GT_EINVAL);
	assert_non_null(why);
	if (strstr(why, needle) == NULL)
		fail_msg("'%s' does not say '%s'", why, needle);
	assert_int_equal(e.roles, 0);
	assert_string_equal(e.key_id, "");
}

static void mistakes_caught(void **state)
{
	char line[GT_ENROL_LINE_MAX], bad[GT_ENROL_LINE_MAX + 8], *p;
	struct gt_enrol e;
	(void)state;

	make_line(line, sizeof(line), &e);
	/* Another org unit: the check no longer matches. */
	snprintf(bad, sizeof(bad), "%s", line);
	p = strstr(bad, " 53.71 ");
	p[5] = '2';
	refuse(bad, "check does not match");
	/* More roles asked than the office asked for. */
	snprintf(bad, sizeof(bad), "%s", line);
	p = strstr(bad, "operator,approver");
	memcpy(p, "approver,operator", 17); /* the same set: still fine */
	assert_int_equal(gt_enrol_parse(bad, strlen(bad), &e, &(const char *){NULL}), 0);
	p = strstr(bad, "approver,operator");
	memcpy(p, "aggregat", 8);
	refuse(bad, "roles");
	/* One digit of the check mistyped. */
	snprintf(bad, sizeof(bad), "%s", line);
	p = bad + strlen(bad) - 1;
	*p = *p == '9' ? '0' : (char)(*p + 1);
	refuse(bad, "check does not match");
	/* The key id of another key. */
	snprintf(bad, sizeof(bad), "%s", line);
	p = bad + strlen(GT_ENROL_MAGIC) + 1;
	*p = *p == 'a' ? 'b' : 'a';
	refuse(bad, "key id");
	refuse("gtsync-enrol-1 a b", "six fields");
	refuse("hello", "no enrolment request");
	refuse("gtsync-enrol-1 0000000000000000 5x operator AAAA 0000-0000-0000", "org unit");
	refuse("gtsync-enrol-1 0000000000000000 53 operator AAAA 0000-0000-0000", "public key");
	snprintf(bad, sizeof(bad), "%s x", line);
	refuse(bad, "more than six");
	char big[GT_ENROL_LINE_MAX + 20];
	memset(big, 'a', sizeof(big) - 1);
	memcpy(big, GT_ENROL_MAGIC, strlen(GT_ENROL_MAGIC));
	big[sizeof(big) - 1] = '\0';
	refuse(big, "too long");
	/* A NUL inside the line. */
	char nul[GT_ENROL_LINE_MAX];
	size_t n = strlen(line);
	memcpy(nul, line, n);
	nul[20] = '\0';
	struct gt_enrol e2;
	const char *why;
	assert_int_equal(gt_enrol_parse(nul, n, &e2, &why), GT_EINVAL);
	assert_non_null(strstr(why, "NUL"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(round_trip),
	    cmocka_unit_test(mistakes_caught),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
