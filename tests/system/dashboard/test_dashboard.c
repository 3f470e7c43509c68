/* gtsync dashboard over HTTP (issue 11, items 1 and 2): pages served from the home's cache
 * with a Content-Security-Policy, figures equal to `gtsync report --format json`, hostile names
 * escaped, unknown org units, data sets, periods and pages answered with a page that says so,
 * CSV downloads, the remembered language, CSRF-checked forms, pages served while another waits
 * for its first fetch, and the cached pages with their age once the server is gone. */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "dashfx.h"
#include "minijson.h"

#define PAGE_53 "/wilayah?org=53&ds=KK&pe=2025"

static struct gt_dashfx fx;

static int group_setup(void **state)
{
	gt_dashfx_setup(&fx);
	gt_dashfx_start(&fx, fx.centre);
	*state = &fx;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	gt_dashfx_stop(&fx);
	gt_dashfx_teardown(&fx);
	return 0;
}

/* Fetches path (GET) and checks its status; caller frees r. */
static void get(const char *path, int status, struct gt_dashfx_resp *r)
{
	gt_dashfx_http(&fx, path, NULL, NULL, r);
	if (r->status != status)
		fail_msg("GET %s: status %d, wanted %d\n%s%s", path, r->status, status, r->headers,
		         r->body);
}

static void has(const char *text, const char *needle)
{
	if (strstr(text, needle) == NULL)
		fail_msg("'%s' is missing from:\n%s", needle, text);
}

static void lacks(const char *text, const char *needle)
{
	if (strstr(text, needle) != NULL)
		fail_msg("'%s' should not be in:\n%s", needle, text);
}

static void test_overview(void **state)
{
	struct gt_dashfx_resp r;
	(void)state;

	get("/ringkasan", 200, &r);
	has(r.headers, "Content-Security-Policy: default-src 'none'");
	has(r.headers, "text/html");
	has(r.body, "Nusa Tenggara Timur");
	has(r.body, "Banten");
	has(r.body, "data-org=\"53\"");
	has(r.body, "id=\"pipeline\"");
	has(r.body, "id=\"missing\"");
	/* The charts, each with its data table. */
	has(r.body, "id=\"chart-months\"");
	has(r.body, "id=\"chart-breakdown\"");
	has(r.body, "id=\"chart-stages\"");
	has(r.body, "<table class=\"chartdata\">");
	/* The data's age, in the zone asked for. */
	has(r.body, "id=\"age\"");
	has(r.body, "WITA");
	gt_dashfx_resp_free(&r);
	get("/", 303, &r);
	has(r.headers, "Location: /ringkasan");
	gt_dashfx_resp_free(&r);
}

/* Every total of the province's JSON report is on its page, with the same number. */
static void test_region_matches_report(void **state)
{
	struct gt_dashfx_resp r;
	char *json = gt_dashfx_report_json(fx.centre, "53");
	struct mj *doc = mj_parse(json, strlen(json));
	const struct mj *totals, *children;
	char needle[512];
	(void)state;

	assert_non_null(doc);
	get(PAGE_53, 200, &r);
	totals = mj_get(doc, "totals");
	assert_non_null(totals);
	assert_true(totals->n > 0);
	for (size_t i = 0; i < totals->n; i++) {
		const struct mj *v = totals->items[i];
		snprintf(needle, sizeof(needle), "data-de=\"%s\" data-coc=\"%s\" data-v=\"%.15g\"",
		         mj_get(v, "dataElement")->str, mj_get(v, "categoryOptionCombo")->str,
		         mj_get(v, "value")->num);
		has(r.body, needle);
	}
	children = mj_get(doc, "children");
	assert_non_null(children);
	for (size_t i = 0; i < children->n; i++) {
		const struct mj *c = children->items[i];
		snprintf(needle, sizeof(needle), "<tr data-org=\"%s\">", mj_get(c, "orgUnit")->str);
		has(r.body, needle);
		snprintf(needle, sizeof(needle), "%.0f / %.0f", mj_get(c, "reportedUnits")->num,
		         mj_get(c, "expected")->num);
		has(r.body, needle);
	}
	/* The breadcrumb leads back to the centre. */
	has(r.body, "class=\"crumbs\"");
	has(r.body, "/wilayah?org=ID&amp;ds=KK&amp;pe=2025");
	mj_free(doc);
	free(json);
	gt_dashfx_resp_free(&r);
}

static void test_hostile_name_escaped(void **state)
{
	struct gt_dashfx_resp r;
	(void)state;

	get(PAGE_53, 200, &r);
	has(r.body, "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x "
	            "onerror=alert(2)&gt;");
	lacks(r.body, "<script");
	lacks(r.body, "<img");
	gt_dashfx_resp_free(&r);
	/* A hostile parameter is shown as text too. */
	get("/wilayah?org=%3Cscript%3E&ds=KK&pe=2025", 404, &r);
	has(r.body, "&lt;script&gt;");
	lacks(r.body, "<script");
	gt_dashfx_resp_free(&r);
}

static void test_unknown_things(void **state)
{
	static const char *const paths[] = {
	    "/wilayah?org=99.99&ds=KK&pe=2025",
	    "/ringkasan?org=53&ds=NOPE&pe=2025",
	    "/ringkasan?org=53&ds=KK&pe=20x5",
	    "/kelengkapan?org=53&ds=KK&pe=",
	    "/tidak-ada",
	};
	struct gt_dashfx_resp r;
	(void)state;

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		get(paths[i], 404, &r);
		has(r.body, "id=\"problem\"");
		has(r.body, "<a href=\"/\">");
		gt_dashfx_resp_free(&r);
	}
}

static void test_csv_download(void **state)
{
	struct gt_dashfx_resp r;
	(void)state;

	get(PAGE_53 "&format=csv", 200, &r);
	has(r.headers, "text/csv");
	has(r.headers, "Content-Disposition: attachment; filename=\"wilayah-53-KK-2025.csv\"");
	has(r.body, "org_unit,name,reported_units,expected,on_time_units,state");
	has(r.body, "53.71,Kota Kupang,1,1,");
	/* The hostile name is one quoted field. */
	has(r.body, "53.73,\"<script>alert(1)</script>\"\"><img src=x onerror=alert(2)>\",0,1,");
	gt_dashfx_resp_free(&r);
	get("/kelengkapan?org=53&ds=KK&pe=2025&format=csv", 200, &r);
	has(r.body, "org_unit,name,202501,202502,202503");
	gt_dashfx_resp_free(&r);
}

static void test_language_remembered(void **state)
{
	struct gt_dashfx_resp r;
	(void)state;

	get("/ringkasan", 200, &r);
	has(r.body, "<html lang=\"id\">");
	has(r.body, "Ringkasan");
	gt_dashfx_resp_free(&r);
	get("/bahasa?l=en&next=%2Fringkasan", 303, &r);
	has(r.headers, "Set-Cookie: gtlang=en;");
	has(r.headers, "Location: /ringkasan");
	gt_dashfx_resp_free(&r);
	gt_dashfx_http(&fx, "/ringkasan", NULL, "gtlang=en", &r);
	assert_int_equal(r.status, 200);
	has(r.body, "<html lang=\"en\">");
	has(r.body, "Overview");
	gt_dashfx_resp_free(&r);
	/* A redirect never leaves the dashboard. */
	get("/bahasa?l=en&next=%2F%2Fexample.org", 303, &r);
	has(r.headers, "Location: /\r\n");
	gt_dashfx_resp_free(&r);
}

static void test_refresh_needs_csrf(void **state)
{
	struct gt_dashfx_resp r;
	char token[64] = "", form[200];
	const char *at;
	(void)state;

	gt_dashfx_http(&fx, "/segarkan", "next=/ringkasan", NULL, &r);
	assert_int_equal(r.status, 403);
	gt_dashfx_resp_free(&r);
	gt_dashfx_http(&fx, "/segarkan", "csrf=00112233445566778899aabbccddeeff&next=/", NULL, &r);
	assert_int_equal(r.status, 403);
	gt_dashfx_resp_free(&r);
	get("/ringkasan", 200, &r);
	at = strstr(r.body, "name=\"csrf\" value=\"");
	assert_non_null(at);
	sscanf(at + strlen("name=\"csrf\" value=\""), "%63[0-9a-f]", token);
	assert_int_equal(strlen(token), 32);
	gt_dashfx_resp_free(&r);
	snprintf(form, sizeof(form), "csrf=%s&next=%%2Fringkasan", token);
	gt_dashfx_http(&fx, "/segarkan", form, NULL, &r);
	assert_int_equal(r.status, 303);
	has(r.headers, "Location: /ringkasan");
	gt_dashfx_resp_free(&r);
}

/* Issue 11 (what remained, item 4): without --zone, the data's age is told in the office's own
 * zone, as its org unit has it on the server: WITA for the province of NTT, WIB for the centre
 * (the capital's; the nation has no zone of its own). */
static void test_age_in_office_zone(void **state)
{
	struct gt_dashfx_resp r;
	(void)state;

	gt_dashfx_stop(&fx);
	fx.own_zone = 1;
	gt_dashfx_start(&fx, fx.ag53);
	get(PAGE_53, 200, &r);
	has(r.body, " WITA</time>");
	gt_dashfx_resp_free(&r);
	gt_dashfx_stop(&fx);
	gt_dashfx_start(&fx, fx.centre);
	get(PAGE_53, 200, &r);
	has(r.body, " WIB</time>");
	gt_dashfx_resp_free(&r);
	fx.own_zone = 0;
}

/* Issue 11 (what remained, item 5): --open opens the dashboard's own address in the desktop's
 * browser, $BROWSER here: a script that records what it was given. */
static void test_open_in_browser(void **state)
{
	char script[GT_PATH_MAX], seen[GT_PATH_MAX], text[GT_PATH_MAX * 4 + 64], want[160];
	char got[256] = "";
	(void)state;

	snprintf(script, sizeof(script), "%s/browser.sh", fx.ts.dir);
	snprintf(seen, sizeof(seen), "%s/browser.seen", fx.ts.dir);
	snprintf(text, sizeof(text),
	         "#!/bin/sh\nprintf '%%s' \"$1\" > '%s.tmp' && mv '%s.tmp' '%s'\n", seen, seen,
	         seen);
	gt_clirun_write(script, text);
	assert_int_equal(chmod(script, 0755), 0);
	gt_dashfx_stop(&fx);
	snprintf(fx.browser, sizeof(fx.browser), "%s", script);
	gt_dashfx_start(&fx, fx.centre);
	fx.browser[0] = '\0';
	for (int i = 0; i < 100 && access(seen, R_OK) != 0; i++) {
		struct timespec pause = {0, 50 * 1000 * 1000};
		nanosleep(&pause, NULL);
	}
	FILE *in = fopen(seen, "r");
	if (in == NULL)
		fail_msg("--open did not run $BROWSER");
	if (fgets(got, sizeof(got), in) == NULL)
		got[0] = '\0';
	fclose(in);
	snprintf(want, sizeof(want), "%s/", fx.url);
	assert_string_equal(got, want);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Issue 11 (what remained, item 4): a page waiting for its report's first fetch does not hold
 * up the others. With the server frozen (SIGSTOP: connections are accepted but never answered)
 * a never-fetched page waits, and meanwhile the style sheet and a cached page answer at once
 * (the page thread used to wait up to 8 s for the fetch, serving nothing else). */
static void test_pages_served_while_one_waits(void **state)
{
	struct gt_dashfx_resp r;
	char url[256];
	pid_t slow;
	int st;
	double t0, took;
	(void)state;

	get(PAGE_53, 200, &r); /* cached before the server freezes */
	gt_dashfx_resp_free(&r);
	assert_int_equal(kill(fx.ts.pid, SIGSTOP), 0);
	snprintf(url, sizeof(url), "%s/wilayah?org=53&ds=KK&pe=2021", fx.url);
	slow = fork();
	assert_true(slow >= 0);
	if (slow == 0) {
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0) {
			dup2(null, 1);
			dup2(null, 2);
		}
		execlp("curl", "curl", "-s", "--max-time", "30", url, (char *)NULL);
		_exit(127);
	}
	/* The slow page is in its wait. */
	struct timespec pause = {0, 500 * 1000 * 1000};
	nanosleep(&pause, NULL);
	assert_int_equal(waitpid(slow, &st, WNOHANG), 0);
	t0 = now_s();
	get("/style.css", 200, &r);
	gt_dashfx_resp_free(&r);
	get(PAGE_53, 200, &r);
	has(r.body, "data-de=\"KK_KORBAN\"");
	gt_dashfx_resp_free(&r);
	took = now_s() - t0;
	/* The waiting page is still waiting: the two answers did not come after it. */
	int waiting = waitpid(slow, &st, WNOHANG) == 0;
	assert_int_equal(kill(fx.ts.pid, SIGCONT), 0);
	assert_int_equal(waitpid(slow, &st, 0), slow);
	assert_true(waiting);
	if (took > 3.0)
		fail_msg("two pages took %.1f s while another waited for its first fetch", took);
}

/* Last: with the server stopped the cached pages still show, with their age; a report never
 * fetched gets a page that says so. */
static void test_offline(void **state)
{
	struct gt_dashfx_resp r;
	(void)state;

	assert_int_equal(gt_testserver_stop(&fx.ts), 0);
	get(PAGE_53, 200, &r);
	has(r.body, "id=\"age\"");
	has(r.body, "data-de=\"KK_KORBAN\"");
	gt_dashfx_resp_free(&r);
	get("/wilayah?org=53&ds=KK&pe=2023", 503, &r);
	has(r.body, "id=\"problem\"");
	gt_dashfx_resp_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_overview),
	    cmocka_unit_test(test_region_matches_report),
	    cmocka_unit_test(test_hostile_name_escaped),
	    cmocka_unit_test(test_unknown_things),
	    cmocka_unit_test(test_csv_download),
	    cmocka_unit_test(test_language_remembered),
	    cmocka_unit_test(test_refresh_needs_csrf),
	    cmocka_unit_test(test_age_in_office_zone),
	    cmocka_unit_test(test_open_in_browser),
	    cmocka_unit_test(test_pages_served_while_one_waits),
	    cmocka_unit_test(test_offline),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
