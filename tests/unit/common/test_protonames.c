/* Tests for common/protonames.c: every value of every protocol enum has its name, and the
 * names parse back. The enum descriptors generated from proto/gtsync.proto are the reference,
 * so a value added to the schema without a name here fails. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "protonames.h"
#include "wire.h"

/* Calls name() for every non-zero value of d; each must differ from the fallback (except the
 * value own, whose name the fallback is, or 0) and from every other value's name. */
static void all_named(const ProtobufCEnumDescriptor *d, const char *(*name)(int),
                      const char *fallback, int own)
{
	for (unsigned i = 0; i < d->n_values; i++) {
		int v = d->values[i].value;
		if (v == 0)
			continue;
		const char *n = name(v);
		if (strcmp(n, fallback) == 0 && v != own)
			fail_msg("%s %s has no name", d->name, d->values[i].name);
		for (unsigned k = 0; k < i; k++)
			if (d->values[k].value != 0 && strcmp(name(d->values[k].value), n) == 0)
				fail_msg("%s: %s and %s share the name %s", d->name,
				         d->values[k].name, d->values[i].name, n);
	}
	assert_string_equal(name(-1), fallback);
	assert_string_equal(name(1000), fallback);
}

static void every_enum_value_named(void **state)
{
	(void)state;
	all_named(&gtsync__v1__approval_state__descriptor, gt_protonames_state, "open",
	          GTSYNC__V1__APPROVAL_STATE__APPROVAL_OPEN);
	all_named(&gtsync__v1__workflow_kind__descriptor, gt_protonames_kind, "?", 0);
	all_named(&gtsync__v1__conflict_reason__descriptor, gt_protonames_conflict, "other", 0);
	all_named(&gtsync__v1__conflict_reason__descriptor, gt_protonames_conflict_message,
	          "item not applied", 0);
	all_named(&gtsync__v1__role__descriptor, gt_protonames_role, "unknown", 0);
	all_named(&gtsync__v1__push_status__descriptor, gt_protonames_status, "refused",
	          GTSYNC__V1__PUSH_STATUS__PUSH_REFUSED);
	/* EXPIRED_PERIOD was missing from the server's table before the one table. */
	assert_string_equal(
	    gt_protonames_conflict(GTSYNC__V1__CONFLICT_REASON__CONFLICT_EXPIRED_PERIOD),
	    "expired_period");
	assert_non_null(strstr(
	    gt_protonames_conflict_message(GTSYNC__V1__CONFLICT_REASON__CONFLICT_EXPIRED_PERIOD),
	    "expiry"));
}

static void parse_round_trip(void **state)
{
	int v;
	(void)state;
	for (int r = 1; r <= GTSYNC__V1__ROLE__ROLE_READER; r++) {
		assert_int_equal(gt_protonames_role_parse(gt_protonames_role(r), &v), GT_OK);
		assert_int_equal(v, r);
	}
	assert_int_equal(gt_protonames_role_parse("unknown", &v), GT_EINVAL);
	assert_int_equal(v, 0);
	assert_int_equal(gt_protonames_role_parse("", &v), GT_EINVAL);
	for (int k = 1; k <= GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_OPEN_LATE; k++) {
		assert_int_equal(gt_protonames_kind_parse(gt_protonames_kind(k), &v), GT_OK);
		assert_int_equal(v, k);
	}
	assert_int_equal(gt_protonames_kind_parse("?", &v), GT_EINVAL);
	assert_int_equal(gt_protonames_kind_state(GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_APPROVE),
	                 GTSYNC__V1__APPROVAL_STATE__APPROVAL_APPROVED);
	assert_int_equal(gt_protonames_kind_state(GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_OPEN_LATE),
	                 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_enum_value_named),
	    cmocka_unit_test(parse_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
