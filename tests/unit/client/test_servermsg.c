/* The server's sentences shown in the user's language (issue 12, item 2): every error code and
 * every conflict reason the server can send has an Indonesian sentence of the client's own, and
 * an English client shows the server's words. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "i18n.h"
#include "protonames.h"
#include "servermsg.h"
#include "wire.h"

static const char said[] = "an English sentence of the server";

static int setup(void **state)
{
	(void)state;
	return gt_i18n_setup();
}

/* Indonesian: never the server's sentence, always a translation that is not the English. */
static void indonesian_never_shows_the_server_sentence(void **state)
{
	(void)state;
	assert_int_equal(gt_i18n_use("id"), GT_OK);
	for (int code = GT_ERR_MIN; code < 0; code++) {
		const char *t = gt_servermsg_error(code, said);
		assert_string_not_equal(t, said);
		assert_true(t[0] != '\0');
		if (strcmp(t, gt_strerror(code)) == 0)
			fail_msg("error %s has no Indonesian sentence: %s", gt_errname(code), t);
	}
	const ProtobufCEnumDescriptor *d = &gtsync__v1__conflict_reason__descriptor;
	for (unsigned i = 0; i < d->n_values; i++) {
		int reason = d->values[i].value;
		const char *t = gt_servermsg_conflict(reason, said);
		assert_string_not_equal(t, said);
		if (strcmp(t, gt_protonames_conflict_message(reason)) == 0)
			fail_msg("conflict %s has no Indonesian sentence: %s", d->values[i].name,
			         t);
	}
	/* The meaning, in Indonesian words. */
	assert_string_equal(gt_servermsg_error(GT_EPERM, said), "tidak berwenang");
	assert_non_null(
	    strstr(gt_servermsg_conflict(GTSYNC__V1__CONFLICT_REASON__CONFLICT_LOCKED_PERIOD, said),
	           "dikunci"));
}

/* English: the server's words (they may name details), else the code's sentence. */
static void english_shows_the_server_sentence(void **state)
{
	(void)state;
	assert_int_equal(gt_i18n_use("en"), GT_OK);
	assert_string_equal(gt_servermsg_error(GT_EPERM, said), said);
	assert_string_equal(gt_servermsg_error(GT_EPERM, ""), "not authorized");
	assert_string_equal(gt_servermsg_error(GT_EPERM, NULL), "not authorized");
	assert_string_equal(
	    gt_servermsg_conflict(GTSYNC__V1__CONFLICT_REASON__CONFLICT_STALE_REVISION, said),
	    said);
	assert_string_equal(
	    gt_servermsg_conflict(GTSYNC__V1__CONFLICT_REASON__CONFLICT_STALE_REVISION, NULL),
	    "a newer revision of the value is already stored");
	/* A code the client does not know still gets a sentence. */
	assert_string_equal(gt_servermsg_error(-12345, NULL), "unknown error");
	assert_int_equal(gt_i18n_use("id"), GT_OK);
	assert_string_equal(gt_servermsg_error(-12345, NULL), "kesalahan yang tidak dikenal");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(indonesian_never_shows_the_server_sentence),
	    cmocka_unit_test(english_shows_the_server_sentence),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
