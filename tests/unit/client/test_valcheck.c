/* Tests of the value checks against the project's metadata, mirroring the server's rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "metadata.h"
#include "valcheck.h"

/* 2026-11-23T12:00:00Z */
#define NOW_MS 1795435200000LL

static struct gt_meta *meta;

static int setup(void **state)
{
	(void)state;
	return gt_meta_load_dir(GT_SOURCE_DIR "/metadata", &meta, NULL);
}

static int teardown(void **state)
{
	(void)state;
	gt_meta_free(meta);
	return 0;
}

/* Checks one value for org 53.71 (or org), returning the code and the sentence. */
static int check(const char *org, const char *dataset, const char *de, const char *period,
                 const char *ou, const char *coc, const char *value, char *why)
{
	struct gt_valcheck c = {meta, org ? org : "53.71", dataset, NOW_MS};
	struct gt_valcheck_value v = {de, period, ou, coc, value, 0, NULL};
	return gt_valcheck_run(&c, &v, NULL, why);
}

/* Checks one value of 53.71 with a comment. */
static int check_comment(const char *de, const char *period, const char *coc, const char *value,
                         const char *comment, char *why)
{
	struct gt_valcheck c = {meta, "53.71", NULL, NOW_MS};
	struct gt_valcheck_value v = {de, period, "53.71", coc, value, 0, comment};
	return gt_valcheck_run(&c, &v, NULL, why);
}

/* issue 14 (no identity in free text): the client refuses before queueing what the server
 * would refuse: a comment on a count of victims, identifying details in a comment or a text
 * value; ordinary comments pass. */
static void test_identity(void **state)
{
	char why[GT_VALCHECK_MAX_WHY];
	(void)state;

	assert_int_equal(check_comment("KK_LP", "202607", "", "2", "PP No. 22 Tahun 2021", why), 0);
	assert_int_equal(check_comment("KK_LP", "202607", "", "2", "", why), 0);
	assert_int_equal(check_comment("KK_KORBAN", "202607", "AP", "1", "", why), 0);
	assert_int_equal(check_comment("KK_KORBAN", "202607", "AP", "1", "dua anak", why),
	                 GT_EINVAL);
	assert_non_null(strstr(why, "KK_KORBAN counts victims"));
	assert_int_equal(check_comment("KK_LP", "202607", "", "2", "pelapor 081234567890", why),
	                 GT_EINVAL);
	assert_non_null(strstr(why, "comment"));
	assert_non_null(strstr(why, "a phone number"));
	assert_null(strstr(why, "081234567890"));
	assert_int_equal(
	    check_comment("GT_CATATAN", "2026S1", "", "hubungi ketua: k@gt.go.id", NULL, why),
	    GT_EINVAL);
	assert_non_null(strstr(why, "an e-mail address"));
	assert_int_equal(check_comment("GT_CATATAN", "2026S1", "",
	                               "Perpres 49/2023, anggaran Rp 1.500.000", NULL, why),
	                 0);
}

static void test_accepts(void **state)
{
	char why[GT_VALCHECK_MAX_WHY];
	const struct gt_meta_dataset *ds = NULL;
	(void)state;

	assert_int_equal(check(NULL, NULL, "KK_KORBAN", "202607", "53.71", "PD", "4", why), 0);
	assert_string_equal(why, "");
	assert_int_equal(check(NULL, NULL, "KK_LP", "202611", "53.71", "", "0", why), 0);
	assert_int_equal(check(NULL, "KK", "KK_LP", "202601", "53.71", "", "12", why), 0);
	assert_int_equal(check(NULL, NULL, "GT_SK", "2026S1", "53.71", "", "true", why), 0);
	assert_int_equal(
	    check(NULL, NULL, "GT_ANGGARAN_JUMLAH", "2026S2", "53.71", "", "1500000.50", why), 0);
	assert_int_equal(
	    check(NULL, NULL, "GT_CATATAN", "2026S1", "53.71", "", "Rapat, \"pleno\"", why), 0);
	/* A province reports KK too; the national level reports GT but not KK. */
	assert_int_equal(check("53", NULL, "KK_LP", "202607", "53", "", "3", why), 0);
	assert_int_equal(check("ID", NULL, "GT_RAPAT_PLENO", "2026S1", "ID", "", "2", why), 0);

	struct gt_valcheck c = {meta, "53.71", NULL, NOW_MS};
	struct gt_valcheck_value v = {"KK_LP", "202607", "53.71", "", "3", 0, NULL};
	assert_int_equal(gt_valcheck_run(&c, &v, &ds, why), 0);
	assert_non_null(ds);
	assert_string_equal(ds->code, "KK");
	/* A deletion carries no value to check. */
	struct gt_valcheck_value del = {"KK_LP", "202607", "53.71", "", "", 1, NULL};
	assert_int_equal(gt_valcheck_run(&c, &del, NULL, why), 0);
}

static void test_refuses(void **state)
{
	char why[GT_VALCHECK_MAX_WHY];
	(void)state;

	assert_int_equal(check(NULL, NULL, "KK_NOPE", "202607", "53.71", "", "1", why), GT_EINVAL);
	assert_non_null(strstr(why, "unknown data element \"KK_NOPE\""));

	assert_int_equal(check(NULL, NULL, "KK_KORBAN", "202607", "53.71", "XX", "1", why),
	                 GT_EINVAL);
	assert_non_null(strstr(why, "PD, AP, LD, AL"));
	assert_int_equal(check(NULL, NULL, "KK_KORBAN", "202607", "53.71", "", "1", why),
	                 GT_EINVAL);
	assert_int_equal(check(NULL, NULL, "KK_LP", "202607", "53.71", "PD", "1", why), GT_EINVAL);
	assert_non_null(strstr(why, "must be empty"));

	assert_int_equal(check(NULL, NULL, "KK_LP", "202607", "53.01", "", "1", why), GT_EINVAL);
	assert_non_null(strstr(why, "not this office's (53.71)"));
	assert_int_equal(check(NULL, NULL, "KK_LP", "202607", "", "", "1", why), GT_EINVAL);

	assert_int_equal(check(NULL, NULL, "KK_LP", "2026-07", "53.71", "", "1", why), GT_EINVAL);
	assert_non_null(strstr(why, "not a DHIS2 period"));
	assert_int_equal(check(NULL, NULL, "KK_LP", "2026Q3", "53.71", "", "1", why), GT_EINVAL);
	assert_non_null(strstr(why, "quarterly"));
	assert_non_null(strstr(why, "monthly (KK)"));
	assert_int_equal(check(NULL, NULL, "GT_SK", "202607", "53.71", "", "true", why), GT_EINVAL);
	assert_non_null(strstr(why, "six-monthly (GT)"));

	/* KK is not reported at the national level. */
	assert_int_equal(check("ID", NULL, "KK_LP", "202607", "ID", "", "1", why), GT_EINVAL);
	assert_non_null(strstr(why, "not reported at this org unit's level"));

	assert_int_equal(check(NULL, NULL, "KK_LP", "202612", "53.71", "", "1", why), GT_EINVAL);
	assert_non_null(strstr(why, "has not started"));
	assert_int_equal(check(NULL, NULL, "KK_LP", "2027", "53.71", "", "1", why), GT_EINVAL);

	assert_int_equal(check(NULL, NULL, "KK_LP", "202607", "53.71", "", "-1", why), GT_EINVAL);
	assert_non_null(strstr(why, "whole number"));
	assert_int_equal(check(NULL, NULL, "KK_LP", "202607", "53.71", "", "07", why), GT_EINVAL);
	assert_int_equal(check(NULL, NULL, "KK_LP", "202607", "53.71", "", "1.5", why), GT_EINVAL);
	assert_int_equal(check(NULL, NULL, "GT_SK", "2026S1", "53.71", "", "ya", why), GT_EINVAL);
	assert_non_null(strstr(why, "true or false"));
	assert_int_equal(check(NULL, NULL, "GT_ANGGARAN_JUMLAH", "2026S1", "53.71", "", "1,5", why),
	                 GT_EINVAL);

	/* The data set must hold the element and fit the period. */
	assert_int_equal(check(NULL, "LY", "KK_LP", "202607", "53.71", "", "1", why), GT_EINVAL);
	assert_non_null(strstr(why, "not in data set LY"));
	assert_int_equal(check(NULL, "NOPE", "KK_LP", "202607", "53.71", "", "1", why), GT_EINVAL);
	assert_non_null(strstr(why, "unknown data set"));
}

/* A long value is cut in the message, which always fits its buffer. */
static void test_long_text(void **state)
{
	char why[GT_VALCHECK_MAX_WHY];
	char value[3000];
	(void)state;

	memset(value, 'a', sizeof(value) - 1);
	value[sizeof(value) - 1] = '\0';
	assert_int_equal(check(NULL, NULL, "GT_CATATAN", "2026S1", "53.71", "", value, why),
	                 GT_EINVAL);
	assert_non_null(strstr(why, "longer than 2000"));
	assert_int_equal(check(NULL, NULL, "KK_LP", "202607", "53.71", "", value, why), GT_EINVAL);
	assert_true(strlen(why) < GT_VALCHECK_MAX_WHY);
	assert_non_null(strstr(why, "..."));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_accepts),
	    cmocka_unit_test(test_refuses),
	    cmocka_unit_test(test_long_text),
	    cmocka_unit_test(test_identity),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
