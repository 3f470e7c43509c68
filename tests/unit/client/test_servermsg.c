/* The server's sentences shown in the user's language (issue 12, item 2, and what remained,
 * item 4): every error code and every conflict reason the server can send has an Indonesian
 * sentence of the client's own; a server sentence the catalogue holds is shown translated, any
 * other after the code's sentence; an English client shows the server's words. */
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

/* Indonesian, a sentence the catalogue does not hold: the code's meaning in Indonesian, never
 * the server's sentence alone, and the server's words kept after it (issue 12, what remained,
 * item 4: the detail is not lost). */
static void indonesian_unknown_sentence_keeps_the_words(void **state)
{
	char buf[GT_SERVERMSG_MAX];
	(void)state;
	assert_int_equal(gt_i18n_use("id"), GT_OK);
	for (int code = GT_ERR_MIN; code < 0; code++) {
		const char *t = gt_servermsg_error(code, said, buf);
		assert_string_not_equal(t, said);
		assert_non_null(strstr(t, said));
		if (strncmp(t, gt_strerror(code), strlen(gt_strerror(code))) == 0)
			fail_msg("error %s has no Indonesian sentence: %s", gt_errname(code), t);
		/* Without words of the server, the meaning alone. */
		t = gt_servermsg_error(code, NULL, buf);
		assert_true(t[0] != '\0');
		assert_null(strstr(t, "kata server"));
	}
	const ProtobufCEnumDescriptor *d = &gtsync__v1__conflict_reason__descriptor;
	for (unsigned i = 0; i < d->n_values; i++) {
		int reason = d->values[i].value;
		const char *t = gt_servermsg_conflict(reason, said, buf);
		assert_string_not_equal(t, said);
		assert_non_null(strstr(t, said));
		if (strstr(t, gt_protonames_conflict_message(reason)) == t)
			fail_msg("conflict %s has no Indonesian sentence: %s", d->values[i].name,
			         t);
	}
	/* The meaning in Indonesian words, then the server's. */
	assert_string_equal(gt_servermsg_error(GT_EPERM, said, buf),
	                    "tidak berwenang; kata server: \"an English sentence of the server\"");
	assert_non_null(strstr(
	    gt_servermsg_conflict(GTSYNC__V1__CONFLICT_REASON__CONFLICT_LOCKED_PERIOD, said, buf),
	    "dikunci"));
	assert_string_equal(gt_servermsg_error(GT_EPERM, NULL, buf), "tidak berwenang");
	assert_string_equal(gt_servermsg_error(GT_EPERM, "", buf), "tidak berwenang");
}

/* Indonesian, one of the server's own sentences (marked N_() in server/): its translation from
 * the catalogue, specific, not the code's generic sentence (issue 12, what remained, item 4). */
static void indonesian_known_sentence_translated(void **state)
{
	char buf[GT_SERVERMSG_MAX];
	const char *t;
	(void)state;
	assert_int_equal(gt_i18n_use("id"), GT_OK);
	/* server/authz.c's refusal of a reader's pull. */
	t = gt_servermsg_error(GT_EPERM, "an operator may write only its own org unit's data", buf);
	assert_string_equal(t, "operator hanya boleh menulis data unit organisasinya sendiri");
	/* server/conn.c's refusal of a key the server does not know. */
	t = gt_servermsg_error(GT_EKEY,
	                       "this key is not registered; give its key id to the central "
	                       "administrator",
	                       buf);
	assert_null(strstr(t, "registered"));
	assert_non_null(strstr(t, "administrator pusat"));
	/* A sentence that differs by one word is not the catalogue's: the words are kept. */
	t = gt_servermsg_error(GT_EPERM, "an operator may write only its own org unit's DATA", buf);
	assert_non_null(strstr(t, "its own org unit's DATA"));
	assert_non_null(strstr(t, "tidak berwenang"));
}

/* English: the server's words (they may name details), else the code's sentence. */
static void english_shows_the_server_sentence(void **state)
{
	char buf[GT_SERVERMSG_MAX];
	(void)state;
	assert_int_equal(gt_i18n_use("en"), GT_OK);
	assert_string_equal(gt_servermsg_error(GT_EPERM, said, buf), said);
	assert_string_equal(gt_servermsg_error(GT_EPERM, "", buf), "not authorized");
	assert_string_equal(gt_servermsg_error(GT_EPERM, NULL, buf), "not authorized");
	assert_string_equal(
	    gt_servermsg_conflict(GTSYNC__V1__CONFLICT_REASON__CONFLICT_STALE_REVISION, said, buf),
	    said);
	assert_string_equal(
	    gt_servermsg_conflict(GTSYNC__V1__CONFLICT_REASON__CONFLICT_STALE_REVISION, NULL, buf),
	    "a newer revision of the value is already stored");
	/* A code the client does not know still gets a sentence. */
	assert_string_equal(gt_servermsg_error(-12345, NULL, buf), "unknown error");
	assert_int_equal(gt_i18n_use("id"), GT_OK);
	assert_string_equal(gt_servermsg_error(-12345, NULL, buf), "kesalahan yang tidak dikenal");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(indonesian_unknown_sentence_keeps_the_words),
	    cmocka_unit_test(indonesian_known_sentence_translated),
	    cmocka_unit_test(english_shows_the_server_sentence),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
