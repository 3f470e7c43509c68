/* Tests of report rendering: valid JSON whatever the strings, DHIS2 field names, CSV, table. */
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

/* ---- A strict JSON checker (RFC 8259), enough to prove the output parses ---- */

struct js {
	const char *p, *end;
	int depth;
};

static void ws(struct js *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\r' || *j->p == '\t'))
		j->p++;
}

static int value(struct js *j);

static int string(struct js *j)
{
	if (j->p >= j->end || *j->p != '"')
		return 0;
	j->p++;
	while (j->p < j->end && *j->p != '"') {
		unsigned char c = (unsigned char)*j->p;
		if (c < 0x20)
			return 0;
		if (c == '\\') {
			j->p++;
			if (j->p >= j->end)
				return 0;
			if (*j->p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (j->p + i >= j->end ||
					    !strchr("0123456789abcdefABCDEF", j->p[i]))
						return 0;
				j->p += 4;
			} else if (!strchr("\"\\/bfnrt", *j->p)) {
				return 0;
			}
		}
		j->p++;
	}
	if (j->p >= j->end)
		return 0;
	j->p++;
	return 1;
}

static int number(struct js *j)
{
	const char *s = j->p;
	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p >= j->end || !(*j->p >= '0' && *j->p <= '9'))
		return 0;
	if (*j->p == '0')
		j->p++;
	else
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (j->p >= j->end || !(*j->p >= '0' && *j->p <= '9'))
			return 0;
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (j->p >= j->end || !(*j->p >= '0' && *j->p <= '9'))
			return 0;
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	return j->p > s;
}

static int literal(struct js *j, const char *w)
{
	size_t n = strlen(w);
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n) != 0)
		return 0;
	j->p += n;
	return 1;
}

static int value(struct js *j)
{
	int ok = 1;

	if (++j->depth > 64)
		return 0;
	ws(j);
	if (j->p >= j->end)
		return 0;
	if (*j->p == '{') {
		j->p++;
		ws(j);
		if (j->p < j->end && *j->p == '}') {
			j->p++;
		} else {
			for (;;) {
				ws(j);
				if (!string(j))
					return 0;
				ws(j);
				if (j->p >= j->end || *j->p++ != ':')
					return 0;
				if (!value(j))
					return 0;
				ws(j);
				if (j->p < j->end && *j->p == ',') {
					j->p++;
					continue;
				}
				if (j->p < j->end && *j->p == '}') {
					j->p++;
					break;
				}
				return 0;
			}
		}
	} else if (*j->p == '[') {
		j->p++;
		ws(j);
		if (j->p < j->end && *j->p == ']') {
			j->p++;
		} else {
			for (;;) {
				if (!value(j))
					return 0;
				ws(j);
				if (j->p < j->end && *j->p == ',') {
					j->p++;
					continue;
				}
				if (j->p < j->end && *j->p == ']') {
					j->p++;
					break;
				}
				return 0;
			}
		}
	} else if (*j->p == '"') {
		ok = string(j);
	} else if (*j->p == 't') {
		ok = literal(j, "true");
	} else if (*j->p == 'f') {
		ok = literal(j, "false");
	} else if (*j->p == 'n') {
		ok = literal(j, "null");
	} else {
		ok = number(j);
	}
	j->depth--;
	return ok;
}

static int json_valid(const char *s, size_t n)
{
	struct js j = {s, s + n, 0};
	if (!value(&j))
		return 0;
	ws(&j);
	return j.p == j.end;
}

/* ---- A report to render ---- */

struct fixture {
	Gtsync__V1__ReportReply rep;
	Gtsync__V1__ReportValue tv[3], cv[2];
	Gtsync__V1__ReportValue *tvp[3], *cvp[2];
	Gtsync__V1__ChildReport ch[2], *chp[2];
	Gtsync__V1__Completeness cp;
	char *missing[1];
};

static void build(struct fixture *f, const char *name)
{
	memset(f, 0, sizeof(*f));
	gtsync__v1__report_reply__init(&f->rep);
	for (int i = 0; i < 3; i++) {
		gtsync__v1__report_value__init(&f->tv[i]);
		f->tvp[i] = &f->tv[i];
	}
	f->tv[0].data_element = "KK_KORBAN";
	f->tv[0].category_option_combo = "PD";
	f->tv[0].value = 16;
	f->tv[0].count = 2;
	f->tv[1].data_element = "KK_LP";
	f->tv[1].category_option_combo = "";
	f->tv[1].value = 2.5;
	f->tv[1].count = 1;
	f->tv[2].data_element = "X\"odd\\el\n";
	f->tv[2].category_option_combo = "\x01\xff";
	f->tv[2].value = -0.0;
	for (int i = 0; i < 2; i++) {
		gtsync__v1__report_value__init(&f->cv[i]);
		f->cvp[i] = &f->cv[i];
		gtsync__v1__child_report__init(&f->ch[i]);
		f->chp[i] = &f->ch[i];
	}
	f->cv[0] = f->tv[0];
	f->cv[0].value = 12;
	f->cv[1] = f->tv[0];
	f->cv[1].value = 4;
	f->ch[0].org_unit = "53.01";
	f->ch[0].name = (char *)name;
	f->ch[0].values = &f->cvp[0];
	f->ch[0].n_values = 1;
	f->ch[0].reported = 1;
	f->ch[0].expected = 1;
	f->ch[0].reported_units = 1;
	f->ch[1].org_unit = "53.71";
	f->ch[1].name = "Kota Kupang";
	f->ch[1].values = &f->cvp[1];
	f->ch[1].n_values = 1;
	gtsync__v1__completeness__init(&f->cp);
	f->cp.expected = 3;
	f->cp.reported = 2;
	f->missing[0] = "53.02";
	f->cp.missing = f->missing;
	f->cp.n_missing = 1;
	f->rep.org_unit = "53";
	f->rep.org_name = (char *)name;
	f->rep.dataset = "KK";
	f->rep.period = "2026Q3";
	f->rep.totals = f->tvp;
	f->rep.n_totals = 3;
	f->rep.children = f->chp;
	f->rep.n_children = 2;
	f->rep.completeness = &f->cp;
	f->rep.generated_at_ms = 1795435200000LL;
}

/* Renders rep into a new string (caller frees). Not inlined: GCC 12 at -O3 takes the string
 * for a pointer into this frame's buf variable once open_memstream is inlined around it, and
 * reports every later use as a dangling pointer. */
static __attribute__((noinline)) char *render(const Gtsync__V1__ReportReply *rep, const char *fmt,
                                              size_t *len)
{
	char *buf = NULL;
	FILE *out = open_memstream(&buf, len);
	assert_non_null(out);
	assert_non_null(gt_render_format_find(fmt));
	assert_int_equal(gt_render_report(out, rep, NULL, NULL, gt_render_format_find(fmt)), GT_OK);
	fclose(out);
	return buf;
}

static void test_json_valid_with_hostile_strings(void **state)
{
	static const char *const names[] = {"Nusa Tenggara Timur",
	                                    "quote \" backslash \\ slash /",
	                                    "ctl \x01\x1f\x7f tab\t nl\n",
	                                    "bad utf8 \xc3\x28 \xe2\x82 \xf0\x9f\x98 end",
	                                    "ok utf8 Café ☕ 𝄞",
	                                    "lone \xed\xa0\x80"};
	(void)state;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct fixture f;
		size_t len;
		build(&f, names[i]);
		static const char *const json_formats[] = {"json", "dhis2"};
		for (size_t k = 0; k < 2; k++) {
			char *s = render(&f.rep, json_formats[k], &len);
			if (!json_valid(s, len))
				fail_msg("invalid JSON for name %zu, format %s:\n%s", i,
				         json_formats[k], s);
			free(s);
		}
	}
	/* The checker itself refuses broken documents. */
	assert_false(json_valid("{\"a\": 1,}", 9));
	assert_false(json_valid("{\"a\": \"\x01\"}", 10));
	assert_false(json_valid("[1 2]", 5));
	assert_true(json_valid("{\"a\": [1, -2.5e3, true, null, \"\\u00e9\"]}", 40));
}

static void test_dhis2_fields(void **state)
{
	struct fixture f;
	size_t len;
	char *s;
	(void)state;

	build(&f, "Nusa Tenggara Timur");
	f.rep.n_totals = 2;
	s = render(&f.rep, "dhis2", &len);
	assert_true(json_valid(s, len));
	assert_non_null(strstr(s, "\"dataSet\": \"KK\""));
	assert_non_null(strstr(s, "\"period\": \"2026Q3\""));
	assert_non_null(strstr(s, "\"orgUnit\": \"53\""));
	assert_non_null(strstr(s,
	                       "{\"dataElement\": \"KK_KORBAN\", \"categoryOptionCombo\": \"PD\", "
	                       "\"value\": \"16\", \"comment\": \"\"}"));
	assert_non_null(strstr(s, "\"value\": \"2.5\""));
	/* Only the totals, and no field outside DHIS2's names. */
	assert_null(strstr(s, "53.01"));
	assert_null(strstr(s, "count"));
	free(s);

	/* An empty report is still a document. */
	f.rep.n_totals = 0;
	s = render(&f.rep, "dhis2", &len);
	assert_true(json_valid(s, len));
	assert_non_null(strstr(s, "\"dataValues\": []"));
	free(s);
}

static void test_json_content(void **state)
{
	struct fixture f;
	size_t len;
	char *s;
	(void)state;

	build(&f, "Nusa Tenggara Timur");
	s = render(&f.rep, "json", &len);
	assert_true(json_valid(s, len));
	assert_non_null(strstr(s, "\"completeness\": {\"expected\": 3, \"reported\": 2, "
	                          "\"onTime\": 0, \"missing\": [\"53.02\"]}"));
	assert_non_null(strstr(s, "\"generatedAt\": \"2026-11-23T12:00:00Z\""));
	assert_non_null(strstr(s, "\"orgUnit\": \"53.01\""));
	assert_non_null(strstr(s, "\"value\": 12"));
	assert_non_null(strstr(s, "\"dataElement\": \"X\\\"odd\\\\el\\n\""));
	assert_non_null(strstr(s, "\"categoryOptionCombo\": \"\\u0001\xef\xbf\xbd\""));
	free(s);
}

static void test_csv_and_table(void **state)
{
	struct fixture f;
	size_t len;
	char *s;
	(void)state;

	build(&f, "Kota, \"Kupang\"");
	f.rep.n_totals = 2;
	s = render(&f.rep, "csv", &len);
	assert_non_null(
	    strstr(s, "dataelement,period,orgunit,categoryoptioncombo,value,count,comment\n"
	              "KK_KORBAN,2026Q3,53,PD,16,2,\n"
	              "KK_LP,2026Q3,53,,2.5,1,\n"
	              "KK_KORBAN,2026Q3,53.01,PD,12,2,\n"
	              "KK_KORBAN,2026Q3,53.71,PD,4,2,\n"));
	free(s);
	s = render(&f.rep, "table", &len);
	assert_non_null(strstr(s, "Reporting units: 2 of 3 reported, 0 on time; not reported: "
	                          "53.02"));
	assert_non_null(strstr(s, "KK_KORBAN"));
	assert_non_null(strstr(s, "53.01"));
	assert_non_null(strstr(s, "Total"));
	/* The KK_KORBAN PD row: 12, 4, and the total 16. */
	const char *row = strstr(s, "KK_KORBAN  ");
	assert_non_null(row);
	assert_non_null(strstr(row, "12"));
	assert_non_null(strstr(row, "16"));
	free(s);
}

static void test_helpers(void **state)
{
	char buf[64];
	char *out = NULL;
	size_t len;
	FILE *f;
	(void)state;

	gt_rmodel_number(16, buf, sizeof(buf));
	assert_string_equal(buf, "16");
	gt_rmodel_number(-0.0, buf, sizeof(buf));
	assert_string_equal(buf, "0");
	gt_rmodel_number(2.5, buf, sizeof(buf));
	assert_string_equal(buf, "2.5");
	gt_rmodel_number(1500000.5, buf, sizeof(buf));
	assert_string_equal(buf, "1500000.5");
	gt_rmodel_number(1e20, buf, sizeof(buf));
	assert_string_equal(buf, "1e+20");
	assert_string_equal(gt_render_format_find("dhis2")->name, "dhis2");
	assert_null(gt_render_format_find("xml"));
	assert_null(gt_render_format_find("DHIS2"));
	/* The first format is the default. */
	assert_string_equal(gt_render_format_find(NULL)->name, "table");
	assert_ptr_equal(gt_render_format_at(0), gt_render_format_find(NULL));

	f = open_memstream(&out, &len);
	gt_csvreport_field(f, "plain");
	fputc('|', f);
	gt_csvreport_field(f, "a,b");
	fputc('|', f);
	gt_csvreport_field(f, "say \"hi\"");
	fputc('|', f);
	gt_csvreport_field(f, " padded");
	fputc('|', f);
	gt_csvreport_field(f, NULL);
	fputc('|', f);
	gt_jsonreport_string(f, NULL);
	fclose(f);
	assert_string_equal(out, "plain|\"a,b\"|\"say \"\"hi\"\"\"|\" padded\"||\"\"");
	free(out);
}

/* Report formats are a table: every format is found by its name, renders, and is listed in
 * the help and the errors built from the table. */
static void test_format_table(void **state)
{
	struct fixture f;
	char list[512], help[2048];
	size_t n = 0, len;
	(void)state;

	build(&f, "Nusa Tenggara Timur");
	gt_render_format_list(list, sizeof(list), 0);
	gt_render_format_list(help, sizeof(help), 1);
	assert_string_equal(list, "table, text, html, csv, json or dhis2");
	for (const struct gt_render_format *fmt; (fmt = gt_render_format_at(n)) != NULL; n++) {
		char *s;
		assert_ptr_equal(gt_render_format_find(fmt->name), fmt);
		assert_non_null(strstr(list, fmt->name));
		assert_non_null(strstr(help, fmt->help));
		s = render(&f.rep, fmt->name, &len);
		assert_true(len > 0);
		free(s);
	}
	assert_int_equal(n, 6);
	assert_int_equal(gt_render_report(stdout, &f.rep, NULL, NULL, NULL), GT_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_json_valid_with_hostile_strings),
	    cmocka_unit_test(test_dhis2_fields),
	    cmocka_unit_test(test_json_content),
	    cmocka_unit_test(test_csv_and_table),
	    cmocka_unit_test(test_helpers),
	    cmocka_unit_test(test_format_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
