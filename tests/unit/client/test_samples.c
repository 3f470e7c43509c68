/* Checks the demo's sample data (a year, 2025, per unit): every row is a valid value of its
 * unit, every validation rule of the metadata holds in every month and semester, and the org
 * units match the official list (when ../shared is there). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "csvimport.h"
#include "error.h"
#include "metadata.h"
#include "testutil.h"
#include "valcheck.h"

/* The centre reports only the six-monthly GT; provinces and districts all three data sets. */
static const char *const units[] = {"ID", "53",    "53.01", "53.02", "53.71",
                                    "36", "36.03", "36.04", "36.71"};
static const char *const files[] = {"kelembagaan.csv", "kasus.csv", "layanan.csv"};

/* All values of one district, from its three files. */
struct unit {
	const char *org;
	struct gt_csvimport csv[3];
};

struct lookup {
	const struct unit *u;
	const char *period;
};

static int get(void *arg, const struct gt_meta_element *e, int option, double *value)
{
	const struct lookup *l = arg;
	const char *coc = e->combo->options[option].code;

	for (int f = 0; f < 3; f++) {
		const struct gt_csvimport *c = &l->u->csv[f];
		if (c->rows == NULL)
			continue;
		for (size_t i = 0; i < c->n_rows; i++) {
			const char *const *r = c->rows[i].field;
			if (strcmp(r[GT_CSV_DATAELEMENT], e->code) == 0 &&
			    strcmp(r[GT_CSV_PERIOD], l->period) == 0 &&
			    strcmp(r[GT_CSV_COC], coc) == 0) {
				*value = atof(r[GT_CSV_VALUE]);
				return 0;
			}
		}
	}
	return GT_ENOENT;
}

static void test_samples_valid_and_consistent(void **state)
{
	struct gt_meta *meta = NULL;
	char path[1024], why[GT_VALCHECK_MAX_WHY];
	int64_t now = (int64_t)time(NULL) * 1000;
	(void)state;

	assert_int_equal(gt_meta_load_dir(GT_SOURCE_DIR "/metadata", &meta, NULL), GT_OK);
	for (size_t d = 0; d < sizeof(units) / sizeof(units[0]); d++) {
		struct unit u = {.org = units[d]};
		struct gt_valcheck vc = {meta, units[d], NULL, now};
		int nfiles = strcmp(units[d], "ID") == 0 ? 1 : 3;
		size_t rows = 0;
		for (int f = 0; f < nfiles; f++) {
			size_t len;
			uint8_t *buf;
			snprintf(path, sizeof(path), "%s/samples/%s/%s", GT_SOURCE_DIR, units[d],
			         files[f]);
			buf = gt_test_read_file(path, &len);
			assert_non_null(buf);
			if (gt_csvimport_parse(buf, len, &u.csv[f]) != GT_OK)
				fail_msg("%s: %s", path, u.csv[f].errors[0].msg);
			free(buf);
			for (size_t i = 0; i < u.csv[f].n_rows; i++) {
				const char *const *r = u.csv[f].rows[i].field;
				struct gt_valcheck_value v = {
				    r[GT_CSV_DATAELEMENT], r[GT_CSV_PERIOD], r[GT_CSV_ORGUNIT],
				    r[GT_CSV_COC],         r[GT_CSV_VALUE],  0,
				    r[GT_CSV_COMMENT]};
				if (gt_valcheck_run(&vc, &v, NULL, why) != GT_OK)
					fail_msg("%s:%lu: %s", path, u.csv[f].rows[i].line, why);
			}
			rows += u.csv[f].n_rows;
		}
		/* A year: 12 months of KK (13 values) and LY (36), two semesters of GT. */
		assert_true(rows >= (nfiles == 1 ? 18 : 12 * (13 + 36) + 18));
		/* Every rule holds for every period of the samples. */
		static const char *const periods[] = {
		    "202501", "202502", "202503", "202504", "202505", "202506", "202507",
		    "202508", "202509", "202510", "202511", "202512", "2025S1", "2025S2"};
		int evaluated = 0;
		for (size_t p = 0; p < 14; p++) {
			struct lookup l = {&u, periods[p]};
			for (size_t k = 0; k < meta->nrules; k++) {
				struct gt_meta_rule_result res;
				assert_int_equal(gt_meta_rule_eval(meta->rules[k], get, &l, &res),
				                 0);
				if (res.skipped)
					continue;
				evaluated++;
				if (res.violated)
					fail_msg("%s %s: rule %s fails (%g vs %g)", units[d],
					         periods[p], meta->rules[k]->code, res.left,
					         res.right);
			}
		}
		/* KK (2) and LY (9) rules in twelve months, GT (2) in two semesters. */
		assert_true(evaluated >= (nfiles == 1 ? 2 * 2 : (2 + 9) * 12 + 2 * 2));
		for (int f = 0; f < nfiles; f++)
			gt_csvimport_free(&u.csv[f]);
	}
	gt_meta_free(meta);
}

/* The sample org units are real Kemendagri codes with their official names. */
static void test_orgunits_official(void **state)
{
	size_t len, olen;
	uint8_t *ours = gt_test_read_file(GT_SOURCE_DIR "/samples/orgunits.csv", &len);
	uint8_t *official;
	char *line, *save = NULL;
	(void)state;

	assert_non_null(ours);
	if (!gt_test_have_shared()) {
		free(ours);
		skip();
	}
	official = gt_test_read_file(GT_SHARED_DIR "/data/wilayah-kemendagri-2025.csv", &olen);
	assert_non_null(official);
	int n = 0;
	for (line = strtok_r((char *)ours, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char want[256];
		snprintf(want, sizeof(want), "\n%s\n", line);
		if (n++ == 0)
			continue; /* the header */
		if (strstr((const char *)official, want) == NULL)
			fail_msg("'%s' is not in the official list", line);
	}
	assert_int_equal(n, 9);
	free(ours);
	free(official);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_samples_valid_and_consistent),
	    cmocka_unit_test(test_orgunits_official),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
