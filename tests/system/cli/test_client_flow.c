/* Integration: two districts import and push, a province pulls and reports, against the real
 * server on 127.0.0.1; bad imports queue nothing; conflicts show in status; DHIS2 export. */
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
#include "minijson.h"
#include "testserver.h"

static const char d1_csv[] = "dataelement,period,orgunit,categoryoptioncombo,value,comment\n"
                             "KK_KORBAN,202607,53.71,PD,4,\n"
                             "KK_KORBAN,202607,53.71,AP,2,\n"
                             "KK_KORBAN,202607,53.71,LD,1,\n"
                             "KK_KORBAN,202607,53.71,AL,0,\n"
                             "KK_KORBAN_TOTAL,202607,53.71,,7,\n"
                             "KK_LP,202607,53.71,,3,\"dua anak, satu kasus\"\n"
                             "KK_LP,202608,53.71,,2,\n"
                             "GT_SK,2026S1,53.71,,true,\n"
                             "GT_RAPAT_PLENO,2026S1,53.71,,2,\n";
static const char d2_csv[] = "\xEF\xBB\xBF"
                             "DataElement,Period,CategoryOptionCombo,Value\r\n"
                             "KK_KORBAN,202608,PD,5\r\n"
                             "KK_KORBAN_TOTAL,202608,,5\r\n"
                             "KK_LP,202608,,4\r\n"
                             "KK_LP,202609,,1\r\n";

static char *find_line(const char *text, const char *prefix)
{
	const char *p = text;
	size_t n = strlen(prefix);
	while (p && *p) {
		if (strncmp(p, prefix, n) == 0)
			return strndup(p, strcspn(p, "\n"));
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

static void expect_line(const char *text, const char *line)
{
	char *got = find_line(text, line);
	if (got == NULL || strcmp(got, line) != 0)
		fail_msg("expected the line '%s' in:\n%s", line, text);
	free(got);
}

static void test_flow(void **state)
{
	struct gt_testserver *ts = *state;
	struct gt_clirun r;
	char d1[4200], d2[4200], prov[4200], path[4300];

	gt_clirun_client(ts, "d1", "53.71", "operator", d1, sizeof(d1));
	gt_clirun_client(ts, "d2", "53.72", "operator", d2, sizeof(d2));
	gt_clirun_client(ts, "prov", "53", "aggregator", prov, sizeof(prov));

	/* A file with bad rows queues nothing and names every bad line. */
	snprintf(path, sizeof(path), "%s/bad.csv", ts->dir);
	gt_clirun_write(path, "dataelement,period,orgunit,categoryoptioncombo,value,comment\n"
	                      "KK_LP,202607,53.71,,3,\n"
	                      "KK_KORBAN,202607,53.71,XX,1,\n"
	                      "KK_LP,202607,53.72,,3,\n"
	                      "KK_LP,202607,53.71,,abc,\n");
	const char *imp_bad[] = {"import", path, NULL};
	gt_clirun(&r, d1, NULL, 60, imp_bad);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "bad.csv:3: categoryoptioncombo \"XX\""));
	assert_non_null(strstr(r.err, "bad.csv:4: org unit \"53.72\""));
	assert_non_null(strstr(r.err, "bad.csv:5: value \"abc\""));
	assert_null(strstr(r.err, "bad.csv:2:"));
	/* In the language of the environment, Bahasa Indonesia when it names none (issue 12). */
	assert_true(strstr(r.err, "nothing from this file was queued") != NULL ||
	            strstr(r.err, "tidak ada isi berkas ini yang diantrekan") != NULL);
	gt_clirun_free(&r);
	const char *status[] = {"status", "--format", "plain", NULL};
	gt_clirun_ok(&r, d1, status, 60);
	assert_int_equal(gt_clirun_kv_num(r.out, "queued"), 0);
	assert_int_equal(gt_clirun_kv_num(r.out, "metadata_version"), 1);
	gt_clirun_free(&r);

	/* Good files: queued, pushed, acknowledged. */
	snprintf(path, sizeof(path), "%s/d1.csv", ts->dir);
	gt_clirun_write(path, d1_csv);
	const char *imp1[] = {"import", path, NULL};
	gt_clirun_ok(&r, d1, imp1, 60);
	assert_non_null(strstr(r.out, "9 values: 9 queued"));
	gt_clirun_free(&r);
	snprintf(path, sizeof(path), "%s/d2.csv", ts->dir);
	gt_clirun_write(path, d2_csv);
	const char *imp2[] = {"import", path, NULL};
	gt_clirun_ok(&r, d2, imp2, 60);
	gt_clirun_free(&r);
	gt_clirun_ok(&r, d1, status, 60);
	assert_int_equal(gt_clirun_kv_num(r.out, "queued"), 9);
	gt_clirun_free(&r);

	const char *push[] = {"push", "--no-retry", NULL};
	gt_clirun_ok(&r, d1, push, 60);
	assert_non_null(strstr(r.out, "9 values acknowledged, 0 in conflict, 0 refused, 0 left"));
	gt_clirun_free(&r);
	gt_clirun_ok(&r, d2, push, 60);
	gt_clirun_free(&r);
	gt_clirun_ok(&r, d1, status, 60);
	assert_int_equal(gt_clirun_kv_num(r.out, "queued"), 0);
	assert_int_equal(gt_clirun_kv_num(r.out, "batched"), 0);
	assert_int_equal(gt_clirun_kv_num(r.out, "acknowledged"), 9);
	assert_int_equal(gt_clirun_kv_num(r.out, "batches_acknowledged"), 1);
	char buf[64];
	assert_string_not_equal(gt_clirun_kv(r.out, "last_push", buf, sizeof(buf)), "never");
	assert_string_equal(gt_clirun_kv(r.out, "role", buf, sizeof(buf)), "operator");
	gt_clirun_free(&r);
	gt_clirun_ok(&r, d1, push, 60);
	assert_non_null(strstr(r.out, "nothing to send"));
	gt_clirun_free(&r);

	/* The province's consolidated report: months roll up into the quarter. */
	const char *rep_csv[] = {"report",   "--org",  "53",       "--dataset", "KK",
	                         "--period", "2026Q3", "--format", "csv",       NULL};
	gt_clirun_ok(&r, prov, rep_csv, 60);
	expect_line(r.out, "KK_LP,2026Q3,53,,10,4,");
	expect_line(r.out, "KK_KORBAN,2026Q3,53,PD,9,2,");
	expect_line(r.out, "KK_KORBAN_TOTAL,2026Q3,53,,12,2,");
	expect_line(r.out, "KK_LP,2026Q3,53.71,,5,2,");
	expect_line(r.out, "KK_LP,2026Q3,53.72,,5,2,");
	gt_clirun_free(&r);

	/* The DHIS2 export is a dataValueSets document with exactly DHIS2's field names. */
	const char *rep_dhis2[] = {"report",   "--org",  "53",       "--dataset", "KK",
	                           "--period", "2026Q3", "--format", "dhis2",     NULL};
	gt_clirun_ok(&r, prov, rep_dhis2, 60);
	struct mj *doc = mj_parse(r.out, strlen(r.out));
	assert_non_null(doc);
	static const char *const top[] = {"dataSet", "period", "orgUnit", "dataValues", NULL};
	static const char *const dv_keys[] = {"dataElement", "categoryOptionCombo", "value",
	                                      "comment", NULL};
	assert_true(mj_keys_are(doc, top));
	assert_string_equal(mj_get(doc, "dataSet")->str, "KK");
	assert_string_equal(mj_get(doc, "period")->str, "2026Q3");
	assert_string_equal(mj_get(doc, "orgUnit")->str, "53");
	const struct mj *dvs = mj_get(doc, "dataValues");
	assert_int_equal(dvs->t, MJ_ARR);
	assert_int_equal(dvs->n, 6); /* KK_KORBAN x4, KK_KORBAN_TOTAL, KK_LP */
	int found_lp = 0;
	for (size_t i = 0; i < dvs->n; i++) {
		const struct mj *dv = dvs->items[i];
		assert_true(mj_keys_are(dv, dv_keys));
		for (int k = 0; dv_keys[k] != NULL; k++)
			assert_int_equal(mj_get(dv, dv_keys[k])->t, MJ_STR);
		if (strcmp(mj_get(dv, "dataElement")->str, "KK_LP") == 0) {
			assert_string_equal(mj_get(dv, "value")->str, "10");
			assert_string_equal(mj_get(dv, "categoryOptionCombo")->str, "");
			found_lp = 1;
		}
	}
	assert_true(found_lp);
	mj_free(doc);
	gt_clirun_free(&r);

	const char *rep_json[] = {"report",   "--org",  "53",       "--dataset", "KK",
	                          "--period", "2026Q3", "--format", "json",      NULL};
	gt_clirun_ok(&r, prov, rep_json, 60);
	doc = mj_parse(r.out, strlen(r.out));
	assert_non_null(doc);
	const struct mj *cp = mj_get(doc, "completeness");
	assert_non_null(cp);
	assert_true(mj_get(cp, "expected")->num == 3); /* 53, 53.71, 53.72 report KK */
	assert_true(mj_get(cp, "reported")->num == 2);
	assert_int_equal(mj_get(doc, "children")->n, 2);
	mj_free(doc);
	gt_clirun_free(&r);

	const char *rep_table[] = {"report", "--org",    "53",     "--dataset",
	                           "KK",     "--period", "2026Q3", NULL};
	gt_clirun_ok(&r, prov, rep_table, 60);
	/* The period as people say it (issue 12). */
	assert_non_null(strstr(r.out, "Kasus dan korban TPPO (KK), Nusa Tenggara Timur, period "
	                              "Quarter 3 2026"));
	assert_non_null(strstr(r.out, "53.71"));
	assert_non_null(strstr(r.out, "Total"));
	gt_clirun_free(&r);

	/* A district may not read the province's report. */
	gt_clirun(&r, d1, NULL, 60, rep_csv);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "outside the key's scope"));
	gt_clirun_free(&r);

	/* The province pulls: its replica equals the server's data for its districts-> */
	const char *pull[] = {"pull", NULL};
	gt_clirun_ok(&r, prov, pull, 60);
	assert_non_null(strstr(r.out, "13 values"));
	assert_non_null(strstr(r.out, "up to date"));
	gt_clirun_free(&r);
	struct gt_clirun_values server, replica;
	gt_clirun_server_values(ts, "53", &server);
	gt_clirun_replica_values(prov, "53", &replica);
	assert_int_equal(server.n, 13);
	assert_int_equal(replica.n, server.n);
	for (size_t i = 0; i < server.n; i++)
		assert_string_equal(replica.lines[i], server.lines[i]);
	gt_clirun_values_free(&server);
	gt_clirun_values_free(&replica);
	gt_clirun_ok(&r, prov, status, 60);
	assert_int_equal(gt_clirun_kv_num(r.out, "replica_values"), 13);
	assert_int_equal(gt_clirun_kv_num(r.out, "replica_units"), 2);
	assert_string_equal(gt_clirun_kv(r.out, "role", buf, sizeof(buf)), "aggregator");
	gt_clirun_free(&r);

	/* An aggregator does not write values. */
	const char *set[] = {"set", "KK_LP", "202607", "", "1", NULL};
	gt_clirun(&r, prov, NULL, 60, set);
	assert_int_equal(r.status, 1);
	assert_true(strstr(r.err, "only an operator key may write data values") != NULL ||
	            strstr(r.err, "hanya kunci operator yang boleh menulis nilai data") != NULL);
	gt_clirun_free(&r);

	assert_int_equal(gt_testserver_stop(ts), 0);
}

/* Two machines of one office: the later entry wins; the earlier one, pushed last, is shown
 * as a conflict (stale revision) in status, grouped by reason and naming the value. */
static void test_conflict(void **state)
{
	struct gt_testserver *ts = *state;
	struct gt_clirun r;
	char a[GT_PATH_MAX], b[GT_PATH_MAX];

	gt_clirun_client(ts, "a", "53.71", "operator", a, sizeof(a));
	gt_clirun_client(ts, "b", "53.71", "operator", b, sizeof(b));

	const char *set_b[] = {"set", "KK_LP", "202607", "", "7", "--comment", "laptop b", NULL};
	gt_clirun(&r, b, NULL, 60, set_b);
	assert_int_equal(r.status, 0);
	gt_clirun_free(&r);
	usleep(20 * 1000); /* revisions are at least the clock in ms: a's is later */
	const char *set_a[] = {"set", "KK_LP", "202607", "", "8", NULL};
	gt_clirun(&r, a, NULL, 60, set_a);
	assert_int_equal(r.status, 0);
	gt_clirun_free(&r);
	const char *push[] = {"push", "--no-retry", NULL};
	gt_clirun(&r, a, NULL, 60, push);
	assert_int_equal(r.status, 0);
	gt_clirun_free(&r);
	gt_clirun(&r, b, NULL, 60, push);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "0 values acknowledged, 1 in conflict"));
	gt_clirun_free(&r);

	const char *status[] = {"status", "--format", "plain", NULL};
	gt_clirun(&r, b, NULL, 60, status);
	assert_int_equal(gt_clirun_kv_num(r.out, "conflict"), 1);
	assert_non_null(strstr(r.out, "conflict reason=stale_revision dataelement=KK_LP "
	                              "period=202607 orgunit=53.71 categoryoptioncombo=\"\" "
	                              "value=7 source=set"));
	gt_clirun_free(&r);
	const char *status_h[] = {"status", "--format", "human", NULL};
	gt_clirun(&r, b, NULL, 60, status_h);
	/* The server's words name the value (issue 10 item 14). */
	assert_non_null(strstr(r.out, "conflict stale_revision: value \"7\" of KK_LP for 202607 at "
	                              "53.71: a newer revision ("));
	assert_non_null(strstr(r.out, "KK_LP 202607 53.71 - = 7"));
	gt_clirun_free(&r);

	/* The server kept the later value. */
	struct gt_clirun_values server;
	gt_clirun_server_values(ts, "53.71", &server);
	assert_int_equal(server.n, 1);
	assert_non_null(strstr(server.lines[0], "53.71|KK_LP|202607||8|"));
	gt_clirun_values_free(&server);

	/* Entering the value again on b (now with a newer revision) resolves the conflict. */
	const char *set_b2[] = {"set", "KK_LP", "202607", "", "9", NULL};
	gt_clirun(&r, b, NULL, 60, set_b2);
	gt_clirun_free(&r);
	gt_clirun(&r, b, NULL, 60, push);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "1 values acknowledged, 0 in conflict"));
	gt_clirun_free(&r);
	gt_clirun(&r, b, NULL, 60, status);
	assert_int_equal(gt_clirun_kv_num(r.out, "conflict"), 1); /* the history stays */
	assert_null(strstr(r.out, "conflict reason="));           /* but is no longer listed */
	gt_clirun_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_flow, gt_clirun_server_setup,
	                                    gt_clirun_server_teardown),
	    cmocka_unit_test_setup_teardown(test_conflict, gt_clirun_server_setup,
	                                    gt_clirun_server_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
