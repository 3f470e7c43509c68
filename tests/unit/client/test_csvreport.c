/* Tests of the CSV and DHIS2 exports, issue 10 item 6: text values in full (not cut at 63
 * bytes), formula starts neutralised as OWASP's CSV-injection guidance says without touching
 * numbers, and comments exported. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "csvreport.h"
#include "error.h"
#include "jsonreport.h"
#include "render.h"

/* One field as gt_csvreport_field() writes it (caller frees). */
static char *field(const char *s)
{
	char *out = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&out, &len);

	assert_non_null(m);
	gt_csvreport_field(m, s);
	fclose(m);
	return out;
}

static void expect_field(const char *s, const char *want)
{
	char *got = field(s);
	if (strcmp(got, want) != 0)
		fail_msg("field '%s' written as '%s', want '%s'", s, got, want);
	free(got);
}

static void test_formula_starts(void **state)
{
	(void)state;
	expect_field("=1+2", "\"'=1+2\"");
	expect_field("=HYPERLINK(\"http://x\",\"y\")",
	             "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
	expect_field("+cmd|' /C calc'!A0", "\"'+cmd|' /C calc'!A0\"");
	expect_field("-2+3", "\"'-2+3\"");
	expect_field("@SUM(A1:A9)", "\"'@SUM(A1:A9)\"");
	expect_field("\t=1", "\"'\t=1\"");
	expect_field("\r=1", "\"'\r=1\"");
	expect_field("-", "\"'-\"");
	/* Numbers stay numbers. */
	expect_field("-3", "-3");
	expect_field("+5", "+5");
	expect_field("-2.5", "-2.5");
	expect_field("-1e5", "-1e5");
	expect_field("12", "12");
	/* Not at the start: plain text. */
	expect_field("a=b", "a=b");
	expect_field("catatan - dua", "catatan - dua");
	/* RFC 4180 quoting as before. */
	expect_field("a,b", "\"a,b\"");
	expect_field("say \"hi\"", "\"say \"\"hi\"\"\"");
	expect_field(" padded", "\" padded\"");
	expect_field("", "");
}

/* A district's report with a long text answer, a formula, a negative number and comments. */
struct fx {
	Gtsync__V1__ReportReply rep;
	Gtsync__V1__ReportValue v[4], *vp[4];
	char long_text[301];
};

static void build(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	gtsync__v1__report_reply__init(&f->rep);
	for (int i = 0; i < 4; i++) {
		gtsync__v1__report_value__init(&f->v[i]);
		f->vp[i] = &f->v[i];
		f->v[i].count = 1;
		f->v[i].category_option_combo = "";
	}
	for (size_t i = 0; i < sizeof(f->long_text) - 1; i++)
		f->long_text[i] = (char)('a' + i % 26);
	memcpy(f->long_text + 290, "-END-OF-IT", 10);
	f->v[0].data_element = "GT_CATATAN";
	f->v[0].text = f->long_text;
	f->v[0].comment = "=IMPORTXML(\"http://evil\", \"//a\")";
	f->v[1].data_element = "GT_KENDALA";
	f->v[1].text = "@SUM(A1:A2)";
	f->v[2].data_element = "KK_SELISIH";
	f->v[2].value = -3;
	f->v[2].comment = "angka turun, lihat catatan";
	f->v[3].data_element = "KK_LP";
	f->v[3].value = 12;
	f->v[3].count = 3;
	f->rep.org_unit = "53.71";
	f->rep.dataset = "GT";
	f->rep.period = "2026S1";
	f->rep.totals = f->vp;
	f->rep.n_totals = 4;
}

static __attribute__((noinline)) char *render(const Gtsync__V1__ReportReply *rep, const char *fmt)
{
	char *out = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&out, &len);

	assert_non_null(m);
	assert_int_equal(gt_render_report(m, rep, NULL, NULL, gt_render_format_find(fmt)), GT_OK);
	fclose(m);
	return out;
}

static void test_csv_export(void **state)
{
	struct fx f;
	char *s, line[512];
	(void)state;

	build(&f);
	s = render(&f.rep, "csv");
	assert_non_null(
	    strstr(s, "dataelement,period,orgunit,categoryoptioncombo,value,count,comment\n"));
	/* The whole text, not the 63 bytes it used to be cut to. */
	snprintf(
	    line, sizeof(line),
	    "GT_CATATAN,2026S1,53.71,,%s,1,\"'=IMPORTXML(\"\"http://evil\"\", \"\"//a\"\")\"\n",
	    f.long_text);
	assert_non_null(strstr(s, line));
	assert_non_null(strstr(s, "-END-OF-IT,1,"));
	assert_non_null(strstr(s, "GT_KENDALA,2026S1,53.71,,\"'@SUM(A1:A2)\",1,\n"));
	/* A negative number in the value column stays a number; its comment is exported. */
	assert_non_null(
	    strstr(s, "KK_SELISIH,2026S1,53.71,,-3,1,\"angka turun, lihat catatan\"\n"));
	assert_non_null(strstr(s, "KK_LP,2026S1,53.71,,12,3,\n"));
	free(s);
}

static void test_dhis2_export(void **state)
{
	struct fx f;
	char *s, want[512];
	(void)state;

	build(&f);
	s = render(&f.rep, "dhis2");
	snprintf(
	    want, sizeof(want),
	    "\"value\": \"%s\", \"comment\": \"=IMPORTXML(\\\"http://evil\\\", \\\"//a\\\")\"}",
	    f.long_text);
	assert_non_null(strstr(s, want));
	assert_non_null(
	    strstr(s, "\"value\": \"-3\", \"comment\": \"angka turun, lihat catatan\"}"));
	assert_non_null(strstr(s, "\"value\": \"12\", \"comment\": \"\"}"));
	free(s);
	/* The JSON export carries the comment where there is one. */
	s = render(&f.rep, "json");
	assert_non_null(strstr(s, "\"count\": 1, \"comment\": \"angka turun, lihat catatan\"}"));
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_formula_starts),
	    cmocka_unit_test(test_csv_export),
	    cmocka_unit_test(test_dhis2_export),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
