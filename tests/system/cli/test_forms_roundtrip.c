/* Integration (issue 12): spreadsheet forms end to end against the real server on 127.0.0.1.
 * One district writes its CSV form with `gtsync template`, a script fills it, `gtsync import`
 * reads it back; another district imports an Excel form filled and saved by LibreOffice (a
 * committed fixture); both push, and the province's report shows exactly the figures filled. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "clirun.h"
#include "testserver.h"
#include "testutil.h"

static void expect_line(const char *text, const char *line)
{
	const char *p = text;
	size_t n = strlen(line);

	while (p != NULL && *p) {
		if (strncmp(p, line, n) == 0 && (p[n] == '\n' || p[n] == '\0'))
			return;
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	fail_msg("expected the line '%s' in:\n%s", line, text);
}

/* The figures the script fills in, by row code; one per column, in order. */
static const struct {
	const char *code;
	const char *values;
} fill[] = {
    {"KK_KORBAN_TOTAL", "10"}, {"KK_LP", "5"},          {"KK_KORBAN", "4,3,2,1"},
    {"KK_KORBAN_WNI", "6,4"},  {"KK_PERKARA", "3,2,1"}, {"KK_PELAKU", "2,1"},
};

/* Fills the grid of a CSV form: each data record of a code above gets its figures. */
static char *fill_grid(const char *grid)
{
	size_t len = strlen(grid), used = 0;
	char *out = malloc(len * 2 + 256);

	assert_non_null(out);
	for (const char *p = grid; *p;) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) + 1 : strlen(p), k;
		for (k = 0; k < sizeof(fill) / sizeof(fill[0]); k++) {
			size_t cl = strlen(fill[k].code);
			if (strncmp(p, fill[k].code, cl) == 0 && p[cl] == ',')
				break;
		}
		if (k < sizeof(fill) / sizeof(fill[0])) {
			/* "CODE,name,,,\r\n" -> "CODE,name,v1,v2\r\n" */
			const char *name_end = strchr(p + strlen(fill[k].code) + 1, ',');
			used += (size_t)sprintf(out + used, "%.*s,%s\r\n", (int)(name_end - p), p,
			                        fill[k].values);
		} else {
			memcpy(out + used, p, n);
			used += n;
		}
		p += n;
	}
	out[used] = '\0';
	return out;
}

static void test_forms_round_trip(void **state)
{
	struct gt_testserver *ts = *state;
	struct gt_clirun r;
	char d1[4200], d2[4200], prov[4200], form[4300], filled[4300], fixture[4300];
	uint8_t *grid;
	size_t len;
	char *text;

	gt_clirun_client(ts, "d1", "53.71", "operator", d1, sizeof(d1));
	gt_clirun_client(ts, "d2", "53.72", "operator", d2, sizeof(d2));
	gt_clirun_client(ts, "prov", "53", "aggregator", prov, sizeof(prov));

	/* 53.72: the CSV form, filled by a script, imported and pushed. */
	snprintf(form, sizeof(form), "%s/kk-form.csv", ts->dir);
	const char *tmpl[] = {"template", "--dataset", "KK",       "--period", "202611",
	                      "--format", "csv",       "--output", form,       NULL};
	gt_clirun_ok(&r, d2, tmpl, 60);
	assert_non_null(strstr(r.out, form));
	gt_clirun_free(&r);
	/* A second template never replaces a filled one. */
	gt_clirun(&r, d2, NULL, 60, tmpl);
	assert_int_not_equal(r.status, 0);
	gt_clirun_free(&r);
	grid = gt_test_read_file(form, &len);
	assert_non_null(grid);
	text = fill_grid((const char *)grid);
	snprintf(filled, sizeof(filled), "%s/kk-filled.csv", ts->dir);
	gt_clirun_write(filled, text);
	free(text);
	free(grid);
	const char *imp2[] = {"import", filled, NULL};
	gt_clirun_ok(&r, d2, imp2, 60);
	assert_non_null(strstr(r.out, "13 values: 13 queued"));
	gt_clirun_free(&r);

	/* The form speaks the environment's language, Bahasa Indonesia when it names none. */
	const char *env_c[] = {"LANGUAGE=", "LC_ALL=", "LC_MESSAGES=", "LANG=C", NULL};
	const char *env_en[] = {"LANGUAGE=", "LC_ALL=", "LC_MESSAGES=", "LANG=en_US.UTF-8", NULL};
	char xlsx[4300];
	snprintf(xlsx, sizeof(xlsx), "%s/kk-id.xlsx", ts->dir);
	const char *tmpl_id[] = {"template", "--dataset", "KK", "--period",
	                         "202611",   "--output",  xlsx, NULL};
	gt_clirun(&r, d2, env_c, 60, tmpl_id);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(
	    r.out,
	    "Kasus dan korban TPPO — Kabupaten Kupang (test) — November 2026, 5 lembar untuk "
	    "diisi"));
	gt_clirun_free(&r);
	snprintf(xlsx, sizeof(xlsx), "%s/kk-en.xlsx", ts->dir);
	gt_clirun(&r, d2, env_en, 60, tmpl_id);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "5 sheets to fill in"));
	gt_clirun_free(&r);

	/* 53.71: the Excel form filled and saved by LibreOffice. */
	snprintf(fixture, sizeof(fixture), "%s/tests/data/forms/kk-filled-lo.xlsx", GT_SOURCE_DIR);
	const char *imp1[] = {"import", fixture, NULL};
	gt_clirun_ok(&r, d1, imp1, 60);
	assert_non_null(strstr(r.out, "13 values: 13 queued"));
	gt_clirun_free(&r);

	const char *push[] = {"push", "--no-retry", NULL};
	gt_clirun_ok(&r, d1, push, 60);
	assert_non_null(strstr(r.out, "13 values acknowledged, 0 in conflict"));
	gt_clirun_free(&r);
	gt_clirun_ok(&r, d2, push, 60);
	assert_non_null(strstr(r.out, "13 values acknowledged, 0 in conflict"));
	gt_clirun_free(&r);

	/* The province's report: each district's figures and their sums. */
	const char *rep[] = {"report",   "--org",  "53",       "--dataset", "KK",
	                     "--period", "202611", "--format", "csv",       NULL};
	gt_clirun_ok(&r, prov, rep, 60);
	expect_line(r.out, "KK_KORBAN,202611,53.72,PD,4,1,");
	expect_line(r.out, "KK_KORBAN,202611,53.72,AL,1,1,");
	expect_line(r.out, "KK_KORBAN,202611,53.71,PD,3,1,");
	expect_line(r.out, "KK_KORBAN,202611,53,PD,7,2,");
	expect_line(r.out, "KK_KORBAN_TOTAL,202611,53,,16,2,");
	expect_line(r.out, "KK_LP,202611,53,,9,2,");
	expect_line(r.out, "KK_KORBAN_WNI,202611,53,DALAM_NEGERI,8,2,");
	expect_line(r.out, "KK_PERKARA,202611,53.72,PUTUSAN,1,1,");
	expect_line(r.out, "KK_PELAKU,202611,53,PERORANGAN,5,2,");
	gt_clirun_free(&r);

	/* --prefill (issue 12, what remained, item 5): the form of the same period filled with the
	 * values the home entered is, cell for cell, the form the script filled... */
	char pre[4300], next[4300];
	snprintf(pre, sizeof(pre), "%s/kk-prefilled.csv", ts->dir);
	const char *tmpl_pre[] = {"template", "--dataset", "KK", "--period",  "202611", "--format",
	                          "csv",      "--output",  pre,  "--prefill", NULL};
	gt_clirun_ok(&r, d2, tmpl_pre, 60);
	assert_non_null(strstr(r.out, "13 cells filled with the values of November 2026"));
	gt_clirun_free(&r);
	uint8_t *want = gt_test_read_file(filled, &len);
	size_t got_len;
	uint8_t *got = gt_test_read_file(pre, &got_len);
	assert_non_null(want);
	assert_non_null(got);
	assert_int_equal(got_len, len);
	assert_memory_equal(got, want, len);
	free(want);
	free(got);
	/* ...so importing it unchanged queues nothing. */
	const char *imp_pre[] = {"import", pre, NULL};
	gt_clirun_ok(&r, d2, imp_pre, 60);
	assert_non_null(strstr(r.out, "13 values: 0 queued, 13 unchanged"));
	gt_clirun_free(&r);
	/* --prefill-from: December's Excel form starts from November's figures; imported as it
	 * is and pushed, the province's December report holds them. */
	snprintf(next, sizeof(next), "%s/kk-202612.xlsx", ts->dir);
	const char *tmpl_next[] = {"template", "--dataset", "KK", "--period",
	                           "202612",   "--output",  next, "--prefill-from",
	                           "202611",   NULL};
	gt_clirun_ok(&r, d2, tmpl_next, 60);
	assert_non_null(strstr(r.out, "13 cells filled"));
	gt_clirun_free(&r);
	const char *imp_next[] = {"import", next, NULL};
	gt_clirun_ok(&r, d2, imp_next, 60);
	assert_non_null(strstr(r.out, "13 values: 13 queued"));
	gt_clirun_free(&r);
	gt_clirun_ok(&r, d2, push, 60);
	assert_non_null(strstr(r.out, "13 values acknowledged, 0 in conflict"));
	gt_clirun_free(&r);
	const char *rep12[] = {"report",   "--org",  "53",       "--dataset", "KK",
	                       "--period", "202612", "--format", "csv",       NULL};
	gt_clirun_ok(&r, prov, rep12, 60);
	expect_line(r.out, "KK_KORBAN,202612,53.72,PD,4,1,");
	expect_line(r.out, "KK_KORBAN,202612,53.72,AL,1,1,");
	expect_line(r.out, "KK_PELAKU,202612,53.72,PERORANGAN,2,1,");
	gt_clirun_free(&r);
	/* A period of another type is refused, in words. */
	snprintf(next, sizeof(next), "%s/kk-bad.xlsx", ts->dir);
	const char *tmpl_bad[] = {"template", "--dataset", "KK", "--period",
	                          "202612",   "--output",  next, "--prefill-from",
	                          "2026",     NULL};
	gt_clirun(&r, d2, NULL, 60, tmpl_bad);
	assert_int_not_equal(r.status, 0);
	assert_non_null(strstr(r.err, "--prefill-from 2026 is not a period of KK"));
	gt_clirun_free(&r);
	assert_int_equal(access(next, F_OK), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_forms_round_trip, gt_clirun_server_setup,
	                                    gt_clirun_server_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
