/* Workflow actions from the dashboard (issue 11, item 4): a province's aggregator returns a
 * district's approved report with a reason and accepts it once approved again, by POST forms
 * that carry the CSRF token, signed through the home's outbox like the CLI; a form without
 * the token is refused, and so is every action for a reader key, whose pages show no forms. */
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

#define PAGE_53 "/wilayah?org=53&ds=KK&pe=2025"

static struct gt_dashfx fx;
static char ap71[GT_PATH_MAX];

static void approve_71(void)
{
	struct gt_clirun r;
	const char *args[] = {"approve", "--dataset", "KK", "--period", "2025", "--no-retry", NULL};

	gt_clirun(&r, ap71, NULL, 60, args);
	if (r.status != 0)
		fail_msg("approve failed:\n%s%s", r.out, r.err);
	gt_clirun_free(&r);
}

static int setup(void **state)
{
	gt_dashfx_setup(&fx);
	gt_clirun_client(&fx.ts, "ap71", "53.71", "approver", ap71, sizeof(ap71));
	approve_71();
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	gt_dashfx_teardown(&fx);
	return 0;
}

/* The state of 53.71 in the province's report as the server holds it. */
static void state_is(const char *want)
{
	char *json = gt_dashfx_report_json(fx.ag53, "53");
	struct mj *doc = mj_parse(json, strlen(json));
	const struct mj *children = mj_get(doc, "children");
	const char *got = NULL;

	assert_non_null(children);
	for (size_t i = 0; i < children->n; i++)
		if (strcmp(mj_get(children->items[i], "orgUnit")->str, "53.71") == 0)
			got = mj_get(children->items[i], "approvalState")->str;
	assert_non_null(got);
	if (strcmp(got, want) != 0)
		fail_msg("53.71 is %s, wanted %s", got, want);
	mj_free(doc);
	free(json);
}

/* The CSRF token of a page (32 hex digits). */
static void csrf_of(const char *body, char token[64])
{
	const char *at = strstr(body, "name=\"csrf\" value=\"");

	token[0] = '\0';
	assert_non_null(at);
	sscanf(at + strlen("name=\"csrf\" value=\""), "%63[0-9a-f]", token);
	assert_int_equal(strlen(token), 32);
}

static void test_aggregator_returns_and_accepts(void **state)
{
	struct gt_dashfx_resp r;
	char token[64], form[512];
	(void)state;

	gt_dashfx_start(&fx, fx.ag53);
	gt_dashfx_http(&fx, PAGE_53, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "data-kind=\"accept\""));
	assert_non_null(strstr(r.body, "data-kind=\"return\""));
	csrf_of(r.body, token);
	gt_dashfx_resp_free(&r);

	/* Without the token, or with another, nothing is sent. */
	gt_dashfx_http(&fx, "/tindakan", "kind=accept&org=53.71&ds=KK&pe=2025&next=%2F", NULL, &r);
	assert_int_equal(r.status, 403);
	gt_dashfx_resp_free(&r);
	gt_dashfx_http(&fx, "/tindakan",
	               "csrf=00112233445566778899aabbccddeeff&kind=accept&org=53.71&ds=KK&pe=2025",
	               NULL, &r);
	assert_int_equal(r.status, 403);
	gt_dashfx_resp_free(&r);
	state_is("approved");

	/* A return without a reason is refused before anything is saved. */
	snprintf(form, sizeof(form), "csrf=%s&kind=return&org=53.71&ds=KK&pe=2025&reason=+", token);
	gt_dashfx_http(&fx, "/tindakan", form, NULL, &r);
	assert_int_equal(r.status, 400);
	gt_dashfx_resp_free(&r);
	state_is("approved");

	/* A return with a hostile reason: applied, the reason shown as text. */
	snprintf(
	    form, sizeof(form),
	    "csrf=%s&kind=return&org=53.71&ds=KK&pe=2025&next=%%2Fwilayah&reason="
	    "%%3Cscript%%3Ealert(3)%%3C%%2Fscript%%3E%%22%%3E%%3Cimg+src%%3Dx+onerror%%3D1%%3E",
	    token);
	gt_dashfx_http(&fx, "/tindakan", form, NULL, &r);
	if (r.status != 200)
		fail_msg("return: status %d\n%s", r.status, r.body);
	assert_non_null(strstr(r.body, "id=\"outcome\""));
	assert_non_null(strstr(r.body, "&lt;script&gt;alert(3)&lt;/script&gt;&quot;&gt;&lt;img"));
	assert_null(strstr(r.body, "<script"));
	assert_null(strstr(r.body, "<img"));
	gt_dashfx_resp_free(&r);
	state_is("returned");
	/* The page shows the new state at once (the dashboard refetched it). */
	gt_dashfx_http(&fx, PAGE_53, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.body, "data-kind=\"accept\""));
	gt_dashfx_resp_free(&r);

	/* Approved again, then accepted from the dashboard. */
	approve_71();
	snprintf(form, sizeof(form), "csrf=%s&kind=accept&org=53.71&ds=KK&pe=2025&next=%%2F",
	         token);
	gt_dashfx_http(&fx, "/tindakan", form, NULL, &r);
	if (r.status != 200)
		fail_msg("accept: status %d\n%s", r.status, r.body);
	gt_dashfx_resp_free(&r);
	state_is("accepted");
	gt_dashfx_stop(&fx);
}

static void test_reader_may_not_act(void **state)
{
	struct gt_dashfx_resp r;
	char reader[GT_PATH_MAX], token[64], form[256];
	(void)state;

	gt_clirun_client(&fx.ts, "rd53", "53", "reader", reader, sizeof(reader));
	gt_dashfx_start(&fx, reader);
	gt_dashfx_http(&fx, PAGE_53, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.body, "data-kind="));
	csrf_of(r.body, token);
	gt_dashfx_resp_free(&r);
	snprintf(form, sizeof(form), "csrf=%s&kind=return&org=53.71&ds=KK&pe=2025&reason=x", token);
	gt_dashfx_http(&fx, "/tindakan", form, NULL, &r);
	assert_int_equal(r.status, 403);
	gt_dashfx_resp_free(&r);
	state_is("accepted");
	gt_dashfx_stop(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_aggregator_returns_and_accepts),
	    cmocka_unit_test(test_reader_may_not_act),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
