/* Published outputs (issue 14, `--public`): `gtsync report --public` in CSV, JSON and DHIS2,
 * `gtsync dashboard --export DIR --public`, and any output of a reader key hold the figures a
 * reader sees: no count of victims from 1 to 4 ever appears, a withheld cell is marked and never
 * written, and the secondary suppression holds (what a province's total has beyond its shown
 * districts is 0 or at least the threshold). The fixture's districts entered 1 victim (AP) a
 * month, so the raw yearly report has small cells to withhold. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dashfx.h"
#include "minijson.h"
#include "testutil.h"

/* The disclosure threshold of the fixture's counts of victims (metadata/kasus.gtm: victims). */
#define THRESHOLD 5

static struct gt_dashfx fx;
static char reader[GT_PATH_MAX];

static int group_setup(void **state)
{
	gt_dashfx_setup(&fx);
	gt_clirun_client(&fx.ts, "rd53", "53", "reader", reader, sizeof(reader));
	*state = &fx;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	gt_dashfx_teardown(&fx);
	return 0;
}

/* Whether element counts victims (has a threshold in the fixture's metadata). */
static int victims(const char *element)
{
	return strncmp(element, "KK_KORBAN", 9) == 0;
}

/* `gtsync report` of 53, KK, 2025 in format, from home, with --public when pub; caller frees. */
static char *report(const char *home, const char *format, int pub)
{
	struct gt_clirun r;
	const char *args[] = {"report",   "--org", "53",       "--dataset", "KK",
	                      "--period", "2025",  "--format", format,      pub ? "--public" : NULL,
	                      NULL};
	char *out;

	gt_clirun(&r, home, NULL, 60, args);
	if (r.status != 0)
		fail_msg("report --format %s failed:\n%s%s", format, r.out, r.err);
	out = strdup(r.out);
	gt_clirun_free(&r);
	return out;
}

/* One CSV line of a report: dataelement,period,orgunit,categoryoptioncombo,value,count,... */
struct line {
	char de[64], ou[32], coc[64], value[32];
};

/* Parses the report CSV (no quoted field in the fixture's lines of interest) into lines. */
static size_t parse_csv(const char *csv, struct line *out, size_t max)
{
	size_t n = 0;
	const char *at = strchr(csv, '\n');

	while (at != NULL && at[1] != '\0' && n < max) {
		struct line *l = &out[n];
		char pe[16];
		at++;
		memset(l, 0, sizeof(*l));
		if (sscanf(at, "%63[^,],%15[^,],%31[^,],%63[^,],%31[^,]", l->de, pe, l->ou, l->coc,
		           l->value) == 5) {
			n++;
		} else {
			memset(l, 0, sizeof(*l));
			if (sscanf(at, "%63[^,],%15[^,],%31[^,],,%31[^,]", l->de, pe, l->ou,
			           l->value) == 4)
				n++;
		}
		at = strchr(at, '\n');
	}
	return n;
}

static const struct line *find(const struct line *ls, size_t n, const char *de, const char *ou,
                               const char *coc)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(ls[i].de, de) == 0 && strcmp(ls[i].ou, ou) == 0 &&
		    strcmp(ls[i].coc, coc) == 0)
			return &ls[i];
	return NULL;
}

/* Checks a public CSV against the raw one: no small count, withheld cells marked, shown cells
 * equal to the raw ones, and every province total's withheld part 0 or at least THRESHOLD. */
static void check_public_csv(const char *pub_csv, const char *raw_csv)
{
	static struct line pub[512], raw[512];
	size_t np = parse_csv(pub_csv, pub, 512), nr = parse_csv(raw_csv, raw, 512);
	size_t withheld = 0, small_raw = 0;

	assert_true(np > 0);
	for (size_t i = 0; i < nr; i++) {
		double v = strtod(raw[i].value, NULL);
		small_raw += victims(raw[i].de) && v > 0 && v < THRESHOLD;
	}
	/* The test can fail: the raw report has small cells. */
	assert_true(small_raw > 0);
	for (size_t i = 0; i < np; i++) {
		const struct line *l = &pub[i];
		if (!victims(l->de))
			continue;
		if (strcmp(l->value, "*") == 0) {
			withheld++;
			continue;
		}
		double v = strtod(l->value, NULL);
		if (v > 0 && v < THRESHOLD)
			fail_msg("a small count is published: %s %s %s = %s", l->de, l->ou, l->coc,
			         l->value);
		const struct line *r = find(raw, nr, l->de, l->ou, l->coc);
		assert_non_null(r);
		assert_string_equal(r->value, l->value);
	}
	assert_true(withheld > 0);
	/* Secondary suppression: in each column of the province, the part not shown. */
	for (size_t i = 0; i < np; i++) {
		const struct line *t = &pub[i];
		if (!victims(t->de) || strcmp(t->ou, "53") != 0 || strcmp(t->value, "*") == 0)
			continue;
		double shown = 0, total = strtod(t->value, NULL);
		int any_withheld = 0;
		for (size_t j = 0; j < np; j++) {
			const struct line *c = &pub[j];
			if (strcmp(c->de, t->de) != 0 || strcmp(c->coc, t->coc) != 0 ||
			    strncmp(c->ou, "53.", 3) != 0)
				continue;
			if (strcmp(c->value, "*") == 0)
				any_withheld = 1;
			else
				shown += strtod(c->value, NULL);
		}
		double part = total - shown;
		if (any_withheld && part != 0 && part < THRESHOLD)
			fail_msg("%s %s: the withheld districts sum to %g, below %d", t->de, t->coc,
			         part, THRESHOLD);
	}
}

static void report_public_csv(void **state)
{
	(void)state;
	char *raw = report(fx.centre, "csv", 0), *pub = report(fx.centre, "csv", 1);

	check_public_csv(pub, raw);
	free(pub);
	/* A reader key's output is always public, with or without --public. */
	pub = report(reader, "csv", 0);
	check_public_csv(pub, raw);
	free(pub);
	free(raw);
}

/* Every value of vals (JSON report values or DHIS2 dataValues) of a count of victims is null
 * (withheld) or not small; returns how many are withheld. */
static size_t check_json_values(const struct mj *vals)
{
	size_t withheld = 0;

	assert_non_null(vals);
	for (size_t i = 0; i < vals->n; i++) {
		const struct mj *v = vals->items[i];
		const struct mj *de = mj_get(v, "dataElement"), *val = mj_get(v, "value");
		if (!victims(de->str))
			continue;
		assert_non_null(val);
		if (val->t == MJ_NULL) {
			withheld++;
			continue;
		}
		double x = val->t == MJ_STR ? strtod(val->str, NULL) : val->num;
		if (val->t == MJ_STR)
			assert_string_not_equal(val->str, "*");
		if (x > 0 && x < THRESHOLD)
			fail_msg("a small count is published: %s = %g", de->str, x);
	}
	return withheld;
}

static void report_public_json_dhis2(void **state)
{
	(void)state;
	char *json = report(fx.centre, "json", 1);
	struct mj *doc = mj_parse(json, strlen(json));
	size_t withheld = 0;

	assert_non_null(doc);
	check_json_values(mj_get(doc, "totals"));
	const struct mj *children = mj_get(doc, "children");
	for (size_t i = 0; i < children->n; i++)
		withheld += check_json_values(mj_get(children->items[i], "values"));
	assert_true(withheld > 0);
	mj_free(doc);
	free(json);
	json = report(fx.centre, "dhis2", 1);
	doc = mj_parse(json, strlen(json));
	assert_non_null(doc);
	check_json_values(mj_get(doc, "dataValues"));
	mj_free(doc);
	free(json);
}

/* Checks every file of a public export: no count of victims from 1 to 4 in a figure's data
 * attribute, and the withheld mark present somewhere. */
static void dashboard_export_public(void **state)
{
	char dir[GT_PATH_MAX], path[GT_PATH_MAX * 2];
	struct gt_clirun r;
	size_t marks = 0, files = 0;
	(void)state;

	snprintf(dir, sizeof(dir), "%s/public-site", fx.ts.dir);
	const char *args[] = {"dashboard", "--export", dir,        "--dataset", "KK",
	                      "--period",  "2025",     "--public", NULL};
	gt_clirun(&r, fx.ag53, NULL, 120, args);
	if (r.status != 0)
		fail_msg("dashboard --export --public failed:\n%s%s", r.out, r.err);
	gt_clirun_free(&r);
	DIR *d = opendir(dir);
	assert_non_null(d);
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		size_t len = 0;
		uint8_t *bytes = gt_test_read_file(path, &len);
		assert_non_null(bytes);
		char *text = strndup((const char *)bytes, len);
		free(bytes);
		assert_non_null(text);
		files++;
		marks += strstr(text, "data-withheld=\"1\"") != NULL;
		for (const char *at = text; (at = strstr(at, "data-de=\"KK_KORBAN")) != NULL;
		     at++) {
			const char *v = strstr(at, "data-v=\"");
			const char *end = strchr(at, '>');
			if (v == NULL || end == NULL || v > end)
				continue;
			double x = strtod(v + 8, NULL);
			if (x > 0 && x < THRESHOLD)
				fail_msg("%s publishes a small count: %.80s", e->d_name, at);
		}
		free(text);
	}
	closedir(d);
	assert_true(files > 3);
	assert_true(marks > 0);
	/* --public belongs to --export. */
	const char *bad[] = {"dashboard", "--public", NULL};
	gt_clirun(&r, fx.centre, NULL, 30, bad);
	assert_int_equal(r.status, 2);
	gt_clirun_free(&r);
}

/* `gtsync export --public`: a month's values of counts of victims never leave, only the
 * year's figures the suppression shows; the other elements do, without comments or signers.
 * Without --public the same export holds the months. */
static void export_public(void **state)
{
	struct gt_clirun r;
	(void)state;

	for (int pub = 0; pub <= 1; pub++) {
		const char *args[] = {"export",
		                      "--format",
		                      "dhis2",
		                      "--org",
		                      "53",
		                      "--descendants",
		                      "--dataset",
		                      "KK",
		                      "--start",
		                      "202501",
		                      "--end",
		                      "202512",
		                      pub ? "--public" : NULL,
		                      NULL};
		size_t victims_n = 0, others = 0;
		gt_clirun(&r, fx.ag53, NULL, 60, args);
		if (r.status != 0)
			fail_msg("export failed:\n%s%s", r.out, r.err);
		struct mj *doc = mj_parse(r.out, strlen(r.out));
		assert_non_null(doc);
		const struct mj *dvs = mj_get(doc, "dataValues");
		assert_non_null(dvs);
		for (size_t i = 0; i < dvs->n; i++) {
			const struct mj *v = dvs->items[i], *by = mj_get(v, "storedBy");
			if (victims(mj_get(v, "dataElement")->str)) {
				double n = atof(mj_get(v, "value")->str);
				victims_n++;
				/* Published: a year's figure the suppression shows, never 1 to 4.
				 */
				if (pub) {
					assert_string_equal(mj_get(v, "period")->str, "2025");
					assert_false(n >= 1 && n <= 4);
				}
			} else {
				others++;
			}
			if (pub)
				assert_true(by == NULL || by->t != MJ_STR || by->str[0] == '\0');
		}
		if (!pub)
			assert_true(victims_n > 0);
		assert_true(others > 0);
		mj_free(doc);
		gt_clirun_free(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(report_public_csv),
	    cmocka_unit_test(report_public_json_dhis2),
	    cmocka_unit_test(dashboard_export_public),
	    cmocka_unit_test(export_public),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
