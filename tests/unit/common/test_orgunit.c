/* Tests for common/orgunit.c: code syntax, levels, parents, containment, the official list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "gtlimits.h"
#include "orgunit.h"
#include "testutil.h"

static const char *const malformed[] = {
    "",         "5",     "053",   "53.",   "53.7",  "53.711", "53-71",  "id",  "Id",
    "iD",       "ID.1",  "ID.53", " 53",   "53 ",   "5 3",    "00",     "01",  "10",
    "53.00",    "00.01", "10.01", "53.7a", "5a.71", "a3",     "53..71", ".53", "53.71.",
    "53.71.01", "ID ",   " ID",   "IDD",   "I",     "53.+1",  "+53",    "-53", "53.-1",
    "53,71",    "５３",  "53\t",  "53\n",  "\n53",  "5371",   "53/71",  "IDN", "ID53",
};

static void valid_codes(void **state)
{
	(void)state;
	assert_int_equal(gt_orgunit_valid("ID"), GT_OK);
	assert_int_equal(gt_orgunit_level("ID"), 1);
	assert_int_equal(gt_orgunit_level("11"), 2);
	assert_int_equal(gt_orgunit_level("53"), 2);
	assert_int_equal(gt_orgunit_level("99"), 2);
	assert_int_equal(gt_orgunit_level("53.71"), 3);
	assert_int_equal(gt_orgunit_level("53.01"), 3);
	assert_int_equal(gt_orgunit_level("11.99"), 3);
	assert_int_equal(gt_orgunit_level("99.99"), 3);
	assert_int_equal(gt_orgunit_valid("53.71"), GT_OK);
	assert_true(strlen("53.71") < GT_ORGUNIT_MAX_LEN);
}

static void malformed_codes(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		const char *c = malformed[i];
		char out[GT_ORGUNIT_MAX_LEN] = "x";
		if (gt_orgunit_valid(c) != GT_EINVAL)
			fail_msg("accepted \"%s\"", c);
		assert_int_equal(gt_orgunit_level(c), GT_EINVAL);
		assert_int_equal(gt_orgunit_parent(c, out, sizeof(out)), GT_EINVAL);
		assert_string_equal(out, "");
		assert_int_equal(gt_orgunit_contains("ID", c), GT_EINVAL);
		assert_int_equal(gt_orgunit_contains(c, "53.71"), GT_EINVAL);
		assert_int_equal(gt_orgunit_contains(c, c), GT_EINVAL);
	}
	assert_int_equal(gt_orgunit_valid(NULL), GT_EINVAL);
	assert_int_equal(gt_orgunit_level(NULL), GT_EINVAL);
	assert_int_equal(gt_orgunit_contains(NULL, "53"), GT_EINVAL);
	assert_int_equal(gt_orgunit_contains("53", NULL), GT_EINVAL);
}

static void embedded_nul(void **state)
{
	(void)state;
	/* A C string ends at its first NUL: what follows is not part of the code. */
	static const char a[] = "53\0.71";
	static const char b[] = "5\0"
	                        "3";
	static const char c[] = "53.7\0"
	                        "1";
	static const char d[] = "\0"
	                        "53";
	assert_int_equal(gt_orgunit_level(a), 2);
	assert_int_equal(gt_orgunit_level(b), GT_EINVAL);
	assert_int_equal(gt_orgunit_level(c), GT_EINVAL);
	assert_int_equal(gt_orgunit_level(d), GT_EINVAL);
}

static void every_two_digit_code(void **state)
{
	(void)state;
	char code[8];
	for (int p = 0; p <= 99; p++) {
		snprintf(code, sizeof(code), "%02d", p);
		assert_int_equal(gt_orgunit_level(code), p >= 11 ? 2 : GT_EINVAL);
		for (int d = 0; d <= 99; d++) {
			snprintf(code, sizeof(code), "%02d.%02d", p, d);
			assert_int_equal(gt_orgunit_level(code), p >= 11 && d >= 1 ? 3 : GT_EINVAL);
		}
	}
}

static void parents(void **state)
{
	(void)state;
	char out[GT_ORGUNIT_MAX_LEN];

	assert_int_equal(gt_orgunit_parent("53.71", out, sizeof(out)), GT_OK);
	assert_string_equal(out, "53");
	assert_int_equal(gt_orgunit_parent("53", out, sizeof(out)), GT_OK);
	assert_string_equal(out, "ID");
	strcpy(out, "junk");
	assert_int_equal(gt_orgunit_parent("ID", out, sizeof(out)), GT_ENOENT);
	assert_string_equal(out, "");

	/* Exactly enough room, then one byte short. */
	assert_int_equal(gt_orgunit_parent("53.71", out, 3), GT_OK);
	assert_string_equal(out, "53");
	strcpy(out, "junk");
	assert_int_equal(gt_orgunit_parent("53.71", out, 2), GT_ETOOBIG);
	assert_string_equal(out, "");
	assert_int_equal(gt_orgunit_parent("53", out, 2), GT_ETOOBIG);
	assert_string_equal(out, "");
	assert_int_equal(gt_orgunit_parent("53", out, 0), GT_ETOOBIG);
	assert_int_equal(gt_orgunit_parent("53", NULL, 0), GT_EINVAL);
	assert_int_equal(gt_orgunit_parent(NULL, out, sizeof(out)), GT_EINVAL);
}

static void containment(void **state)
{
	(void)state;
	assert_int_equal(gt_orgunit_contains("ID", "ID"), 1);
	assert_int_equal(gt_orgunit_contains("ID", "53"), 1);
	assert_int_equal(gt_orgunit_contains("ID", "53.71"), 1);
	assert_int_equal(gt_orgunit_contains("53", "53"), 1);
	assert_int_equal(gt_orgunit_contains("53", "53.71"), 1);
	assert_int_equal(gt_orgunit_contains("53.71", "53.71"), 1);
	assert_int_equal(gt_orgunit_contains("53", "52.71"), 0);
	assert_int_equal(gt_orgunit_contains("53", "35.53"), 0);
	assert_int_equal(gt_orgunit_contains("53", "35"), 0);
	assert_int_equal(gt_orgunit_contains("53.71", "53.72"), 0);
	assert_int_equal(gt_orgunit_contains("53.71", "53"), 0);
	assert_int_equal(gt_orgunit_contains("53.71", "ID"), 0);
	assert_int_equal(gt_orgunit_contains("53", "ID"), 0);
	assert_int_equal(gt_orgunit_contains("53.71", "71.53"), 0);
}

/* Every code in the official list is valid, at the level the list gives, under its
 * province. */
static void official_list(void **state)
{
	(void)state;
	char path[GT_PATH_MAX];
	size_t len = 0;
	int provinces = 0, districts = 0;

	if (!gt_test_have_shared())
		skip();
	snprintf(path, sizeof(path), "%s/data/wilayah-kemendagri-2025.csv", GT_SHARED_DIR);
	char *text = (char *)gt_test_read_file(path, &len);
	assert_non_null(text);
	char *copy = malloc(len + 1);
	assert_non_null(copy);
	memcpy(copy, text, len);
	copy[len] = '\0';

	char *save = NULL;
	char last_province[GT_ORGUNIT_MAX_LEN] = "";
	int line = 0;
	for (char *l = strtok_r(copy, "\n", &save); l != NULL; l = strtok_r(NULL, "\n", &save)) {
		if (line++ == 0) {
			assert_string_equal(l, "code,name,level");
			continue;
		}
		char *c1 = strchr(l, ',');
		char *c2 = c1 != NULL ? strrchr(l, ',') : NULL;
		assert_non_null(c1);
		assert_true(c2 > c1);
		*c1 = '\0';
		const char *code = l;
		const char *kind = c2 + 1;
		char parent[GT_ORGUNIT_MAX_LEN];
		if (gt_orgunit_valid(code) != GT_OK)
			fail_msg("official code \"%s\" refused", code);
		assert_int_equal(gt_orgunit_contains("ID", code), 1);
		assert_int_equal(gt_orgunit_parent(code, parent, sizeof(parent)), GT_OK);
		if (strcmp(kind, "province") == 0) {
			assert_int_equal(gt_orgunit_level(code), 2);
			assert_string_equal(parent, "ID");
			snprintf(last_province, sizeof(last_province), "%s", code);
			provinces++;
		} else {
			assert_string_equal(kind, "district");
			assert_int_equal(gt_orgunit_level(code), 3);
			/* The list gives each province before its districts. */
			assert_string_equal(parent, last_province);
			assert_int_equal(gt_orgunit_contains(last_province, code), 1);
			districts++;
		}
	}
	assert_int_equal(provinces, 38);
	assert_int_equal(districts, 514);
	free(copy);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(valid_codes),   cmocka_unit_test(malformed_codes),
	    cmocka_unit_test(embedded_nul),  cmocka_unit_test(every_two_digit_code),
	    cmocka_unit_test(parents),       cmocka_unit_test(containment),
	    cmocka_unit_test(official_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
