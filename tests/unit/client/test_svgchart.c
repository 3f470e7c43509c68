/* The chart module (issue 11, item 2): line, stacked bars and funnel as inline SVG, each with
 * its data table; every name escaped; no style attributes (a strict CSP allows the charts);
 * charts without data refused. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "i18n.h"
#include "svgchart.h"

static const char *const labels[] = {"Jan", "Feb", "<b>Mar</b>"};
static const double a[] = {3, 10, NAN};
static const double b[] = {1, 2, 4};
static const char *const keys[] = {"202501", "202502", "<k>"};
static const struct gt_svgchart_series series[] = {{"Perempuan \"dewasa\"", a, "PD"},
                                                   {"<script>x</script>", b, NULL}};

/* Renders with fn into a string (caller frees). */
static char *render(int (*fn)(FILE *, const struct gt_svgchart *), const struct gt_svgchart *c,
                    int want)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	assert_non_null(m);
	assert_int_equal(fn(m, c), want);
	fclose(m);
	/* A copy: GCC's -O3 dangling-pointer check takes the stream's buffer for a local. */
	char *copy = strdup(buf);
	free(buf);
	assert_non_null(copy);
	return copy;
}

static void common_checks(const char *s)
{
	assert_non_null(strstr(s, "<figure class=\"chart\" id=\"c1\">"));
	assert_non_null(strstr(s, "<svg viewBox="));
	assert_non_null(strstr(s, "role=\"img\""));
	assert_non_null(strstr(s, "<table class=\"chartdata\">"));
	assert_non_null(strstr(s, "&lt;b&gt;Mar&lt;/b&gt;"));
	assert_null(strstr(s, "<b>"));
	assert_null(strstr(s, "<script"));
	assert_null(strstr(s, "style="));
	/* The data table holds the numbers, a dash for none. */
	assert_non_null(strstr(s, "<td class=\"n\" data-s=\"PD\" data-v=\"10\">10</td>"));
	assert_non_null(strstr(s, "<td class=\"n\" data-s=\"PD\" data-v=\"\">&ndash;</td>"));
	assert_non_null(strstr(s, "<td class=\"n\" data-v=\"4\">4</td>"));
	/* The rows carry their keys (the dashboard's trend page: period ids), escaped. */
	assert_non_null(strstr(s, "<tr data-k=\"202502\"><th scope=\"row\">Feb</th>"));
	assert_non_null(strstr(s, "<tr data-k=\"&lt;k&gt;\">"));
}

static void test_charts(void **state)
{
	struct gt_svgchart c = {.id = "c1",
	                        .title = "Korban <i>TPPO</i>",
	                        .labels = labels,
	                        .nlabels = 3,
	                        .keys = keys,
	                        .series = series,
	                        .nseries = 2};
	char *s;
	(void)state;

	gt_i18n_use(GT_LANG_ID);
	s = render(gt_svgchart_line, &c, GT_OK);
	common_checks(s);
	assert_non_null(strstr(s, "<polyline"));
	assert_non_null(strstr(s, "Korban &lt;i&gt;TPPO&lt;/i&gt;"));
	assert_non_null(strstr(s, "&lt;script&gt;x&lt;/script&gt;"));
	free(s);
	s = render(gt_svgchart_bars, &c, GT_OK);
	common_checks(s);
	/* Three bars of two series each. */
	size_t rects = 0;
	for (const char *at = s; (at = strstr(at, "<rect")) != NULL; at++)
		rects++;
	assert_true(rects >= 6);
	free(s);
	s = render(gt_svgchart_funnel, &c, GT_OK);
	common_checks(s);
	free(s);
}

/* Counts the occurrences of needle in s. */
static size_t count(const char *s, const char *needle)
{
	size_t n = 0;

	for (const char *at = s; (at = strstr(at, needle)) != NULL; at++)
		n++;
	return n;
}

/* The spaces in the first points attribute of s (points less one); -1 without one. */
static int first_points_spaces(const char *s)
{
	size_t at = strstr(s, "points=\"") ? (size_t)(strstr(s, "points=\"") - s) + 8 : 0;
	int spaces = 0;

	if (at == 0)
		return -1;
	for (size_t i = at; s[i] != '\0' && s[i] != '"'; i++)
		spaces += s[i] == ' ';
	return spaces;
}

/* issue 11 (Tren): a month without a value is a gap in the line, not a fall to 0: the line
 * breaks into one polyline per run of values, with no point at the missing month. */
static void test_line_gap(void **state)
{
	static const char *const ml[] = {"Jan", "Feb", "Mar", "Apr", "Mei"};
	static const double v[] = {5, 6, NAN, 4, 8};
	static const double lone[] = {NAN, 7, NAN, NAN, NAN};
	const struct gt_svgchart_series one[] = {{"v", v, "V"}};
	struct gt_svgchart c = {
	    .id = "g", .title = "t", .labels = ml, .nlabels = 5, .series = one, .nseries = 1};
	char *s;
	(void)state;

	s = render(gt_svgchart_line, &c, GT_OK);
	assert_int_equal(count(s, "<polyline"), 2);
	assert_int_equal(count(s, "<circle"), 4);
	/* Each polyline has two points: Jan-Feb and Apr-Mei; none reaches March's place. */
	assert_int_equal(first_points_spaces(s), 1);
	/* The data table shows March as none, not as 0. */
	assert_int_equal(count(s, "data-v=\"\""), 1);
	free(s);

	/* A single value between gaps: a point, no line. */
	const struct gt_svgchart_series l1[] = {{"v", lone, "V"}};
	c.series = l1;
	s = render(gt_svgchart_line, &c, GT_OK);
	assert_int_equal(count(s, "<polyline"), 0);
	assert_int_equal(count(s, "<circle"), 1);
	free(s);
}

static void test_empty_refused(void **state)
{
	struct gt_svgchart c = {.id = "c1",
	                        .title = "t",
	                        .labels = labels,
	                        .nlabels = 0,
	                        .series = series,
	                        .nseries = 2};
	char *s;
	(void)state;

	s = render(gt_svgchart_line, &c, GT_EINVAL);
	free(s);
	c.nlabels = 3;
	c.nseries = 0;
	s = render(gt_svgchart_bars, &c, GT_EINVAL);
	free(s);
	s = render(gt_svgchart_funnel, &c, GT_EINVAL);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_charts),
	    cmocka_unit_test(test_line_gap),
	    cmocka_unit_test(test_empty_refused),
	};
	gt_i18n_setup();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
