/* Integration: the reporting chain through the gtsync command line against the real server:
 * districts approve (signing what the server holds), the province accepts and approves, the
 * centre accepts; every illegal step refused with the reason the CLI prints; locks and
 * returns; a district that never reports; an approval over stale data; a crash between saving
 * and sending; reports that add up, as JSON, text and HTML. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "approval.h"
#include "clirun.h"
#include "digest.h"
#include "minijson.h"
#include "store.h"
#include "testserver.h"
#include "testutil.h"

/* The homes of one test: operators and approvers of 53.71 and 53.72, the province's
 * aggregator and approver, the centre's secretariat. */
struct fx {
	struct gt_testserver *ts;
	char op71[4200], op72[4200], ap71[4200], ap72[4200];
	char ag53[4200], ap53[4200], centre[4200];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	void *ts = NULL;

	if (f == NULL || gt_clirun_server_setup(&ts) != 0)
		return -1;
	f->ts = ts;
	gt_clirun_client(f->ts, "op71", "53.71", "operator", f->op71, sizeof(f->op71));
	gt_clirun_client(f->ts, "op72", "53.72", "operator", f->op72, sizeof(f->op72));
	gt_clirun_client(f->ts, "ap71", "53.71", "approver", f->ap71, sizeof(f->ap71));
	gt_clirun_client(f->ts, "ap72", "53.72", "approver", f->ap72, sizeof(f->ap72));
	gt_clirun_client(f->ts, "ag53", "53", "aggregator", f->ag53, sizeof(f->ag53));
	gt_clirun_client(f->ts, "ap53", "53", "approver", f->ap53, sizeof(f->ap53));
	gt_clirun_client(f->ts, "centre", "ID", "secretariat", f->centre, sizeof(f->centre));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	return gt_clirun_fx_teardown(f->ts, f);
}

/* Runs gtsync in home; returns the exit status, the output in r (caller frees). */
static int run(const char *home, struct gt_clirun *r, const char *const *args)
{
	gt_clirun(r, home, NULL, 60, args);
	return r->status;
}

/* Runs gtsync in home and expects exit status want; frees the output. */
static void expect(const char *home, int want, const char *const *args)
{
	struct gt_clirun r;
	if (run(home, &r, args) != want)
		fail_msg("gtsync %s %s: exit %d, expected %d:\n%s%s", args[0],
		         args[1] ? args[1] : "", r.status, want, r.out, r.err);
	gt_clirun_free(&r);
}

/* Runs gtsync and expects status want and needle in its stdout or stderr. */
static void expect_says(const char *home, int want, const char *needle, const char *const *args)
{
	struct gt_clirun r;
	run(home, &r, args);
	if (r.status != want || (strstr(r.out, needle) == NULL && strstr(r.err, needle) == NULL))
		fail_msg("gtsync %s: exit %d (expected %d), expected '%s' in:\n%s%s", args[0],
		         r.status, want, needle, r.out, r.err);
	gt_clirun_free(&r);
}

/* A workflow action on KK 2025 by home; org may be NULL. */
static void act(const char *home, const char *verb, const char *org, const char *reason, int want,
                const char *needle)
{
	const char *args[12] = {verb, "--dataset", "KK", "--period", "2025", "--no-retry"};
	int n = 6;
	if (org != NULL) {
		args[n++] = "--org";
		args[n++] = org;
	}
	if (reason != NULL) {
		args[n++] = "--reason";
		args[n++] = reason;
	}
	args[n] = NULL;
	expect_says(home, want, needle, args);
}

#define APPLIED "applied; the report is now"
/* The server's words name the cause (issue 10 item 14); the line names the action. */
#define INVALID  "(invalid_transition)"
#define CHILDREN "not yet accepted (children_not_ready)"
#define DIGEST   "the approval signed other data (digest_mismatch)"

/* Imports a quarter of KK figures for org (victims base, base+1, base+2 a month, police reports
 * one a month) and pushes them. */
static void report_quarter(struct fx *f, const char *home, const char *org, int base)
{
	char path[4400], csv[4096];
	size_t used = 0;

	used += (size_t)snprintf(csv + used, sizeof(csv) - used,
	                         "dataelement,period,orgunit,categoryoptioncombo,value,comment\n");
	for (int m = 1; m <= 3; m++) {
		int v = base + m - 1;
		used += (size_t)snprintf(csv + used, sizeof(csv) - used,
		                         "KK_KORBAN,2025%02d,%s,PD,%d,\n"
		                         "KK_KORBAN,2025%02d,%s,AP,1,\n"
		                         "KK_KORBAN_TOTAL,2025%02d,%s,,%d,\n"
		                         "KK_LP,2025%02d,%s,,1,\n",
		                         m, org, v, m, org, m, org, v + 1, m, org);
	}
	snprintf(path, sizeof(path), "%s/kk-%s.csv", f->ts->dir, org);
	gt_clirun_write(path, csv);
	const char *imp[] = {"import", path, NULL};
	expect(home, 0, imp);
	const char *push[] = {"push", "--no-retry", NULL};
	expect(home, 0, push);
}

/* Sets one value and pushes; returns the push's output (caller frees). */
static void set_and_push(const char *home, const char *de, const char *period, const char *value,
                         struct gt_clirun *r)
{
	const char *set[] = {"set", de, period, "", value, NULL};
	expect(home, 0, set);
	const char *push[] = {"push", "--no-retry", NULL};
	run(home, r, push);
}

/* The report of org as JSON, parsed (caller frees). */
static struct mj *report_json(const char *home, const char *org)
{
	struct gt_clirun r;
	const char *args[] = {"report",   "--org", org,        "--dataset", "KK",
	                      "--period", "2025",  "--format", "json",      NULL};
	if (run(home, &r, args) != 0)
		fail_msg("report failed:\n%s%s", r.out, r.err);
	struct mj *doc = mj_parse(r.out, strlen(r.out));
	gt_clirun_free(&r);
	assert_non_null(doc);
	return doc;
}

static const char *child_state(const struct mj *doc, const char *org)
{
	const struct mj *ch = mj_get(doc, "children");
	for (size_t i = 0; ch && i < ch->n; i++)
		if (strcmp(mj_get(ch->items[i], "orgUnit")->str, org) == 0)
			return mj_get(ch->items[i], "approvalState")->str;
	return "(absent)";
}

/* The approval digest of (KK, 2025, org) computed directly from the server's store. */
struct direct {
	struct gt_digest *d;
	int rc;
};

static int direct_add(void *arg, const struct gt_store_value *v)
{
	struct direct *x = arg;
	if (x->rc == 0)
		x->rc =
		    gt_digest_add(x->d, v->data_element, v->period, v->org_unit, v->coc, v->value);
	return x->rc;
}

static void direct_digest(struct fx *f, const char *org, char hex[65], uint64_t *count)
{
	static const char *const elements[] = {"KK_KORBAN", "KK_KORBAN_TOTAL", "KK_KORBAN_WNI",
	                                       "KK_LP",     "KK_PERKARA",      "KK_PELAKU"};
	char periods[12][8], db[4200];
	const char *pp[12];
	struct direct x = {0};
	struct gt_store *st;
	uint8_t out[32];

	for (int m = 0; m < 12; m++) {
		snprintf(periods[m], sizeof(periods[m]), "2025%02d", m + 1);
		pp[m] = periods[m];
	}
	snprintf(db, sizeof(db), "%s/gtsync.db", f->ts->data);
	assert_int_equal(gt_store_open_readonly(db, &st), 0);
	struct gt_store_report_query q = {
	    .org_root = org, .elements = elements, .n_elements = 6, .periods = pp, .n_periods = 12};
	assert_int_equal(gt_digest_begin("KK", "2025", org, &x.d), 0);
	assert_int_equal(gt_store_values_foreach(st, &q, direct_add, &x), 0);
	assert_int_equal(x.rc, 0);
	assert_int_equal(gt_digest_end(x.d, out, count), 0);
	gt_digest_free(x.d);
	gt_store_close(st);
	gt_approval_hex(out, hex);
}

/* Approves (KK, 2025) as home and checks that the digest it prints is the store's. */
static void approve_checked(struct fx *f, const char *home, const char *org)
{
	struct gt_clirun r;
	char hex[65], want[128];
	uint64_t count;
	const char *args[] = {"approve", "--dataset", "KK", "--period", "2025", "--no-retry", NULL};

	direct_digest(f, org, hex, &count);
	if (run(home, &r, args) != 0)
		fail_msg("approve %s failed:\n%s%s", org, r.out, r.err);
	snprintf(want, sizeof(want), "approve: %llu values of KK for 2025 in %s's subtree",
	         (unsigned long long)count, org);
	if (strstr(r.out, want) == NULL || strstr(r.out, hex) == NULL)
		fail_msg("expected '%s' and digest %s in:\n%s", want, hex, r.out);
	assert_non_null(strstr(r.out, APPLIED " approved"));
	gt_clirun_free(&r);
}

static void chain_end_to_end(void **state)
{
	struct fx *f = *state;
	struct gt_clirun r;
	char buf[64];

	report_quarter(f, f->op71, "53.71", 3);
	report_quarter(f, f->op72, "53.72", 5);

	/* Districts approve what the server holds; the province accepts them. */
	act(f->ap71, "submit", NULL, NULL, 0, APPLIED " submitted");
	approve_checked(f, f->ap71, "53.71");
	approve_checked(f, f->ap72, "53.72");
	act(f->ag53, "accept", "53.71", NULL, 0, APPLIED " accepted");
	act(f->ag53, "accept", "53.72", NULL, 0, APPLIED " accepted");
	/* The province approves its whole subtree: both districts' values. */
	approve_checked(f, f->ap53, "53");
	act(f->centre, "accept", "53", NULL, 0, APPLIED " accepted");

	/* The national report shows the chain. */
	struct mj *doc = report_json(f->centre, "ID");
	assert_string_equal(mj_get(doc, "approvalState")->str, "open");
	assert_string_equal(child_state(doc, "53"), "accepted");
	assert_string_equal(child_state(doc, "36"), "open");
	mj_free(doc);
	doc = report_json(f->ag53, "53");
	assert_string_equal(mj_get(doc, "approvalState")->str, "accepted");
	assert_string_equal(child_state(doc, "53.71"), "accepted");
	assert_string_equal(child_state(doc, "53.72"), "accepted");
	mj_free(doc);

	/* The approver's status lists its actions and their outcomes. */
	const char *st[] = {"status", "--format", "plain", NULL};
	assert_int_equal(run(f->ap71, &r, st), 0);
	assert_int_equal(gt_clirun_kv_num(r.out, "actions_applied"), 2);
	assert_int_equal(gt_clirun_kv_num(r.out, "actions_queued"), 0);
	assert_non_null(strstr(r.out, "action kind=approve dataset=KK period=2025 orgunit=53.71 "
	                              "outcome=applied"));
	assert_string_equal(gt_clirun_kv(r.out, "role", buf, sizeof(buf)), "approver");
	gt_clirun_free(&r);
	/* Every action went out in a signed batch of its key. */
	char id[64];
	gt_clirun_key_id(f->ap71, id, sizeof(id));
	assert_int_equal(gt_clirun_server_batches(f->ts, id), 2);
}

static void illegal_steps_refused(void **state)
{
	struct fx *f = *state;
	char id[64];

	report_quarter(f, f->op71, "53.71", 2);
	gt_clirun_key_id(f->ag53, id, sizeof(id));

	/* Refused by the client before anything is saved or sent. */
	act(f->ag53, "return", "53.71", NULL, 2, "a return needs --reason TEXT");
	act(f->ag53, "return", "53.71", "  ", 2, "a return needs --reason TEXT");
	act(f->ag53, "accept", NULL, NULL, 2, "--org is required");
	const char *fine[] = {"approve", "--dataset", "GT", "--period", "2025Q1", NULL};
	expect_says(f->ap71, 1, "not 2025Q1", fine);
	const char *bad[] = {"approve", "--dataset", "XX", "--period", "2025", NULL};
	expect_says(f->ap71, 1, "data set XX is not in the pulled metadata", bad);
	assert_int_equal(gt_clirun_server_batches(f->ts, id), 0);

	/* Refused by the server: the wrong key for the step. */
	act(f->op71, "approve", NULL, NULL, 1,
	    "refused by the server: only an approver key may submit, approve or unapprove");
	act(f->ap71, "submit", "53", NULL, 1,
	    "refused by the server: an approver may act only on its own org unit's reports");
	/* Approving the province with a district's key fails at the digest: the province's
	 * data is outside the key's scope. */
	act(f->ap71, "approve", "53", NULL, 1,
	    "the server refused to send 53's data: the org unit is outside the key's scope");
	act(f->ap53, "accept", "53.71", NULL, 1,
	    "refused by the server: only the province's aggregator may accept or return");
	act(f->ag53, "accept", "53", NULL, 1,
	    "refused by the server: only the central secretariat may accept or return a "
	    "province's report");
	act(f->centre, "accept", "53.71", NULL, 1,
	    "refused by the server: only the province's aggregator may accept");

	/* Skipped by the server: not allowed in the report's state. */
	act(f->ag53, "accept", "53.71", NULL, 1, INVALID);
	act(f->ap71, "unapprove", NULL, NULL, 1, INVALID);
	act(f->ag53, "return", "53.71", "kurang lengkap", 1, INVALID);
	act(f->ap71, "submit", NULL, NULL, 0, APPLIED " submitted");
	act(f->ap71, "submit", NULL, NULL, 1, INVALID);
	act(f->ap71, "approve", NULL, NULL, 0, APPLIED " approved");
	act(f->ap71, "approve", NULL, NULL, 1, INVALID);
	act(f->ap71, "submit", NULL, NULL, 1, INVALID);
	/* Unapprove before the parent accepts; approve again; accepted, no unapprove. */
	act(f->ap71, "unapprove", NULL, NULL, 0, APPLIED " open");
	act(f->ap71, "approve", NULL, NULL, 0, APPLIED " approved");
	act(f->ag53, "accept", "53.71", NULL, 0, APPLIED " accepted");
	act(f->ag53, "accept", "53.71", NULL, 1, INVALID);
	act(f->ap71, "unapprove", NULL, NULL, 1, INVALID);
	/* The centre cannot accept a province that has not approved. */
	act(f->centre, "accept", "53", NULL, 1, INVALID);

	/* 53.72 never reported: the province cannot approve until it is approved and
	 * accepted, even with no figures; an empty report is approved only once its approver
	 * declares there is nothing to report (issue 10 item 17). */
	act(f->ap53, "approve", NULL, NULL, 1, CHILDREN);
	act(f->ap72, "approve", NULL, NULL, 1,
	    "53.72 holds no values of KK for 2025; if there is nothing to report, its approver "
	    "declares a nil report first (empty_report)");
	act(f->op72, "nil-report", NULL, NULL, 1, "refused by the server: only an approver key");
	act(f->ap72, "nil-report", NULL, NULL, 0,
	    "nil-report KK 2025 53.72: applied; it is in the report's history");
	act(f->ap72, "approve", NULL, NULL, 0, "approve: 0 values of KK");
	act(f->ap53, "approve", NULL, NULL, 1, CHILDREN);
	act(f->ag53, "accept", "53.72", NULL, 0, APPLIED " accepted");
	act(f->ap53, "approve", NULL, NULL, 0, APPLIED " approved");
	/* A return under the approved province is not allowed until it unapproves. */
	act(f->ag53, "return", "53.71", "cek lagi", 1,
	    "53's own report KK 2025 is approved over it");
	act(f->ap53, "unapprove", NULL, NULL, 0, APPLIED " open");
	act(f->ag53, "return", "53.71", "cek lagi", 0, APPLIED " returned");
	act(f->ap71, "submit", NULL, NULL, 0, APPLIED " submitted");

	/* The skipped and refused actions are listed by status, with their reasons. */
	struct gt_clirun r;
	const char *st[] = {"status", "--format", "plain", NULL};
	assert_int_equal(run(f->ag53, &r, st), 0);
	assert_true(gt_clirun_kv_num(r.out, "actions_skipped") >= 3);
	assert_int_equal(gt_clirun_kv_num(r.out, "actions_refused"), 1);
	assert_non_null(strstr(r.out, "action kind=accept dataset=KK period=2025 orgunit=53 "
	                              "outcome=refused why=GT_EPERM"));
	assert_non_null(strstr(r.out, "outcome=skipped why=invalid_transition"));
	assert_non_null(strstr(r.out, "reason=\"cek lagi\""));
	gt_clirun_free(&r);
	const char *human[] = {"status", "--format", "human", NULL};
	assert_int_equal(run(f->ag53, &r, human), 0);
	assert_non_null(strstr(r.out, "Workflow actions: "));
	assert_non_null(strstr(r.out, "return    KK 2025 53.71: applied; reason: cek lagi"));
	gt_clirun_free(&r);
}

static void locked_until_returned(void **state)
{
	struct fx *f = *state;
	struct gt_clirun r;

	report_quarter(f, f->op71, "53.71", 4);
	act(f->ap71, "approve", NULL, NULL, 0, APPLIED " approved");
	/* An edit of an approved period is skipped as locked and shown by status. */
	set_and_push(f->op71, "KK_LP", "202502", "7", &r);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "0 values acknowledged, 1 in conflict"));
	gt_clirun_free(&r);
	const char *st[] = {"status", "--format", "plain", NULL};
	assert_int_equal(run(f->op71, &r, st), 0);
	assert_non_null(strstr(r.out, "conflict reason=locked_period dataelement=KK_LP "
	                              "period=202502"));
	gt_clirun_free(&r);
	/* Any month of the approved year is locked, also one not reported before. */
	set_and_push(f->op71, "KK_LP", "202512", "1", &r);
	assert_non_null(strstr(r.out, "1 in conflict"));
	gt_clirun_free(&r);

	/* The province returns the report with a reason; the edit then goes in. */
	act(f->ag53, "return", "53.71", "laporan polisi Februari perlu dikoreksi", 0,
	    APPLIED " returned");
	set_and_push(f->op71, "KK_LP", "202502", "7", &r);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "1 values acknowledged, 0 in conflict"));
	gt_clirun_free(&r);
	struct gt_clirun_values v;
	gt_clirun_server_values(f->ts, "53.71", &v);
	int found = 0;
	for (size_t i = 0; i < v.n; i++)
		found += strncmp(v.lines[i], "53.71|KK_LP|202502||7|", 22) == 0;
	assert_int_equal(found, 1);
	gt_clirun_values_free(&v);
	/* Approved again over the corrected data; the history keeps every step. */
	approve_checked(f, f->ap71, "53.71");
	const char *text[] = {"report",   "--org", "53.71",    "--dataset", "KK",
	                      "--period", "2025",  "--format", "text",      NULL};
	assert_int_equal(run(f->ag53, &r, text), 0);
	assert_non_null(strstr(r.out, "Approval state of this report: approved"));
	assert_non_null(strstr(r.out, "return    key"));
	assert_non_null(strstr(r.out, "reason: laporan polisi Februari perlu dikoreksi"));
	gt_clirun_free(&r);
}

static void missing_district(void **state)
{
	struct fx *f = *state;
	struct gt_clirun r;
	char ap3601[4200], ag36[4200], ap36[4200], op3601[4200], op3671[4200], ap3671[4200];

	gt_clirun_client(f->ts, "op3601", "36.01", "operator", op3601, sizeof(op3601));
	gt_clirun_client(f->ts, "ap3601", "36.01", "approver", ap3601, sizeof(ap3601));
	gt_clirun_client(f->ts, "op3671", "36.71", "operator", op3671, sizeof(op3671));
	gt_clirun_client(f->ts, "ap3671", "36.71", "approver", ap3671, sizeof(ap3671));
	gt_clirun_client(f->ts, "ag36", "36", "aggregator", ag36, sizeof(ag36));
	gt_clirun_client(f->ts, "ap36", "36", "approver", ap36, sizeof(ap36));

	/* 36.01 reports, is approved and accepted; 36.71 has not reported. */
	report_quarter(f, op3601, "36.01", 2);
	act(ap3601, "approve", NULL, NULL, 0, APPLIED " approved");
	act(ag36, "accept", "36.01", NULL, 0, APPLIED " accepted");
	struct mj *doc = report_json(ag36, "36");
	const struct mj *c = mj_get(doc, "completeness");
	assert_int_equal((int)mj_get(c, "expected")->num, 3);
	assert_int_equal((int)mj_get(c, "reported")->num, 1);
	const struct mj *missing = mj_get(c, "missing");
	assert_int_equal(missing->n, 2);
	assert_string_equal(missing->items[0]->str, "36");
	assert_string_equal(missing->items[1]->str, "36.71");
	mj_free(doc);
	/* The text and HTML reports name what is missing. */
	const char *text[] = {"report",   "--org", "36",       "--dataset", "KK",
	                      "--period", "2025",  "--format", "text",      NULL};
	assert_int_equal(run(ag36, &r, text), 0);
	assert_non_null(strstr(r.out, "Not reported (2):"));
	assert_non_null(strstr(r.out, "  36.71    "));
	gt_clirun_free(&r);
	act(ap36, "approve", NULL, NULL, 1, CHILDREN);

	/* Once 36.71 reports and its report is approved and accepted, the province approves. */
	report_quarter(f, op3671, "36.71", 1);
	act(ap36, "approve", NULL, NULL, 1, CHILDREN);
	act(ap3671, "approve", NULL, NULL, 0, APPLIED " approved");
	act(ag36, "accept", "36.71", NULL, 0, APPLIED " accepted");
	act(ap36, "approve", NULL, NULL, 0, "approve: 24 values of KK for 2025 in 36's subtree");
	doc = report_json(f->centre, "ID");
	assert_string_equal(child_state(doc, "36"), "approved");
	mj_free(doc);
}

/* Waits up to 30 s for path to exist. */
static void wait_file(const char *path)
{
	for (int i = 0; i < 3000 && access(path, F_OK) != 0; i++) {
		struct timespec ts = {0, 10000000L};
		nanosleep(&ts, NULL);
	}
	assert_int_equal(access(path, F_OK), 0);
}

static void stale_digest_rejected(void **state)
{
	struct fx *f = *state;
	struct gt_clirun r;
	struct gt_clirun_bg bg;
	char go[4300], env_go[4400], digested[4400];

	report_quarter(f, f->op72, "53.72", 6);
	/* The approver computes its digest and pauses; an operator's value lands meanwhile. */
	snprintf(go, sizeof(go), "%s/go", f->ts->dir);
	snprintf(env_go, sizeof(env_go), "GTSYNC_TEST_PAUSE_AFTER_DIGEST=%s", go);
	snprintf(digested, sizeof(digested), "%s.digested", go);
	const char *env[] = {env_go, NULL};
	const char *approve[] = {"approve", "--dataset",  "KK", "--period",
	                         "2025",    "--no-retry", NULL};
	gt_clirun_spawn(&bg, f->ts->dir, f->ap72, env, approve);
	wait_file(digested);
	set_and_push(f->op72, "KK_LP", "202503", "4", &r);
	assert_non_null(strstr(r.out, "1 values acknowledged"));
	gt_clirun_free(&r);
	gt_clirun_write(go, "");
	gt_clirun_wait(&r, &bg, 60);
	if (r.status != 1 || strstr(r.err, DIGEST) == NULL)
		fail_msg("expected the stale approval skipped, got %d:\n%s%s", r.status, r.out,
		         r.err);
	assert_non_null(strstr(r.out, "approve: 12 values of KK"));
	gt_clirun_free(&r);
	struct mj *doc = report_json(f->ag53, "53");
	assert_string_equal(child_state(doc, "53.72"), "open");
	mj_free(doc);
	/* Approving again signs the data as it is now. */
	approve_checked(f, f->ap72, "53.72");
}

static void crash_between_save_and_send(void **state)
{
	struct fx *f = *state;
	struct gt_clirun r;
	const char *approve[] = {"approve", "--dataset",  "KK", "--period",
	                         "2025",    "--no-retry", NULL};
	const char *push[] = {"push", "--no-retry", NULL};
	const char *st[] = {"status", "--format", "plain", NULL};

	report_quarter(f, f->op71, "53.71", 1);
	/* Killed right after the signed batch is saved: nothing reached the server. */
	const char *die_save[] = {"GTSYNC_TEST_DIE_AFTER_SAVE=1", NULL};
	gt_clirun(&r, f->ap71, die_save, 60, approve);
	assert_int_equal(r.status, 86);
	gt_clirun_free(&r);
	assert_int_equal(run(f->ap71, &r, st), 0);
	assert_int_equal(gt_clirun_kv_num(r.out, "actions_sent"), 1);
	assert_int_equal(gt_clirun_kv_num(r.out, "batches_pending"), 1);
	gt_clirun_free(&r);
	struct mj *doc = report_json(f->ag53, "53");
	assert_string_equal(child_state(doc, "53.71"), "open");
	mj_free(doc);
	/* The next push sends the same batch: the approval applies. */
	assert_int_equal(run(f->ap71, &r, push), 0);
	assert_non_null(strstr(r.out, "workflow actions: 1 applied"));
	gt_clirun_free(&r);
	doc = report_json(f->ag53, "53");
	assert_string_equal(child_state(doc, "53.71"), "approved");
	mj_free(doc);

	/* Killed right after sending, before the ack: the resend is a duplicate, applied once. */
	const char *die_send[] = {"GTSYNC_TEST_DIE_AFTER_SEND=1", NULL};
	const char *accept[] = {"accept", "--dataset", "KK",         "--period", "2025",
	                        "--org",  "53.71",     "--no-retry", NULL};
	gt_clirun(&r, f->ag53, die_send, 60, accept);
	assert_int_equal(r.status, 86);
	gt_clirun_free(&r);
	for (int i = 0; i < 100; i++) {
		doc = report_json(f->ag53, "53");
		int done = strcmp(child_state(doc, "53.71"), "accepted") == 0;
		mj_free(doc);
		if (done)
			break;
		struct timespec ts = {0, 20000000L};
		nanosleep(&ts, NULL);
	}
	assert_int_equal(run(f->ag53, &r, push), 0);
	assert_non_null(strstr(r.out, "1 already on the server"));
	gt_clirun_free(&r);
	assert_int_equal(run(f->ag53, &r, st), 0);
	assert_non_null(strstr(r.out, "outcome=duplicate"));
	gt_clirun_free(&r);
	char id[64];
	gt_clirun_key_id(f->ag53, id, sizeof(id));
	assert_int_equal(gt_clirun_server_batches(f->ts, id), 1);
}

/* Sums of the report's children per (element, option) equal its totals, and both equal a
 * direct sum over the server's values. */
static void totals_add_up(void **state)
{
	struct fx *f = *state;
	struct gt_clirun r;
	char html[4300];

	report_quarter(f, f->op71, "53.71", 3);
	report_quarter(f, f->op72, "53.72", 8);
	struct mj *doc = report_json(f->centre, "53");
	const struct mj *totals = mj_get(doc, "totals"), *children = mj_get(doc, "children");
	struct gt_clirun_values v;
	gt_clirun_server_values(f->ts, "53", &v);
	assert_true(totals->n >= 3);
	for (size_t i = 0; i < totals->n; i++) {
		const char *de = mj_get(totals->items[i], "dataElement")->str;
		const char *coc = mj_get(totals->items[i], "categoryOptionCombo")->str;
		double total = mj_get(totals->items[i], "value")->num, kids = 0, direct = 0;
		for (size_t c = 0; c < children->n; c++) {
			const struct mj *vals = mj_get(children->items[c], "values");
			for (size_t k = 0; k < vals->n; k++)
				if (strcmp(mj_get(vals->items[k], "dataElement")->str, de) == 0 &&
				    strcmp(mj_get(vals->items[k], "categoryOptionCombo")->str,
				           coc) == 0)
					kids += mj_get(vals->items[k], "value")->num;
		}
		for (size_t k = 0; k < v.n; k++) {
			char ou[16], e[64], p[16], o[64], val[64];
			if (sscanf(v.lines[k], "%15[^|]|%63[^|]|%15[^|]|%63[^|]|%63[^|]", ou, e, p,
			           o, val) != 5) {
				/* The default combo: an empty coc field. */
				if (sscanf(v.lines[k], "%15[^|]|%63[^|]|%15[^|]||%63[^|]", ou, e, p,
				           val) != 4)
					continue;
				o[0] = '\0';
			}
			if (strcmp(e, de) == 0 && strcmp(o, coc) == 0 && strncmp(p, "2025", 4) == 0)
				direct += atof(val);
		}
		if (total != kids || total != direct)
			fail_msg("%s %s: total %g, children %g, store %g", de, coc, total, kids,
			         direct);
	}
	gt_clirun_values_free(&v);
	mj_free(doc);

	/* The chair's report, as text and as one HTML file, holds the figures: KK_KORBAN PD is
	 * 3+4+5 + 8+9+10 = 39, KK_KORBAN_TOTAL 45, KK_LP 6. */
	const char *text[] = {"report",   "--org", "53",       "--dataset", "KK",
	                      "--period", "2025",  "--format", "text",      NULL};
	assert_int_equal(run(f->centre, &r, text), 0);
	assert_non_null(strstr(r.out, "Kasus dan korban TPPO (KK)"));
	assert_non_null(strstr(r.out, "Korban TPPO teridentifikasi      39       6       0"));
	assert_non_null(strstr(r.out, "Jumlah korban TPPO teridentifikasi"));
	assert_non_null(strstr(r.out, "2 of 3 reporting units reported"));
	gt_clirun_free(&r);
	snprintf(html, sizeof(html), "%s/laporan.html", f->ts->dir);
	/* Issue 10 item 9: a symbolic link planted at the output is replaced, never written
	 * through, and no temporary file is left beside it. */
	char victim[1200], leftover[1300];
	struct stat sb;
	snprintf(victim, sizeof(victim), "%s/victim.txt", f->ts->dir);
	gt_clirun_write(victim, "not the report\n");
	assert_int_equal(symlink(victim, html), 0);
	const char *h[] = {"report", "--org",    "53",   "--dataset", "KK", "--period",
	                   "2025",   "--format", "html", "--output",  html, NULL};
	assert_int_equal(run(f->centre, &r, h), 0);
	assert_non_null(strstr(r.out, "written to"));
	gt_clirun_free(&r);
	assert_int_equal(lstat(html, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	size_t len;
	char *kept = (char *)gt_test_read_file(victim, &len);
	assert_non_null(kept);
	assert_string_equal(kept, "not the report\n");
	free(kept);
	snprintf(leftover, sizeof(leftover), "ls -a '%s' | grep -q '^\\.laporan\\.html\\.'",
	         f->ts->dir);
	assert_int_not_equal(system(leftover), 0);
	char *doc_html = (char *)gt_test_read_file(html, &len);
	assert_non_null(doc_html);
	assert_non_null(strstr(doc_html, "<!DOCTYPE html>"));
	assert_non_null(strstr(doc_html, "<td class=n>39</td>"));
	assert_non_null(strstr(doc_html, "<td class=\"n total\">45</td>"));
	assert_non_null(strstr(doc_html, "Kota Kupang"));
	assert_null(strstr(doc_html, "http"));
	free(doc_html);
	/* An unknown format is a usage error. */
	const char *x[] = {"report", "--dataset", "KK",  "--period",
	                   "2025",   "--format",  "pdf", NULL};
	expect_says(f->centre, 2, "--format is table, text, html, csv, json or dhis2", x);
}

/* With the server down, an action is saved and goes out with the next push; an approval is
 * not saved at all, since its digest needs the server's data. */
static void server_down(void **state)
{
	struct fx *f = *state;
	struct gt_clirun r;
	char listen[64];
	const char *st[] = {"status", "--format", "plain", NULL};
	const char *push[] = {"push", "--no-retry", NULL};

	snprintf(listen, sizeof(listen), "127.0.0.1:%d", f->ts->port);
	assert_int_equal(gt_testserver_stop(f->ts), 0);
	const char *submit[] = {"submit", "--dataset",  "KK", "--period",
	                        "2025",   "--no-retry", NULL};
	assert_int_equal(run(f->ap71, &r, submit), 3);
	assert_non_null(strstr(r.err, "is unreachable"));
	assert_non_null(strstr(r.err, "KK 2025 53.71: saved but not answered yet; it goes out with "
	                              "the next 'gtsync push'"));
	gt_clirun_free(&r);
	const char *approve[] = {"approve", "--dataset",  "KK", "--period",
	                         "2025",    "--no-retry", NULL};
	assert_int_equal(run(f->ap71, &r, approve), 3);
	assert_non_null(strstr(r.err, "is unreachable"));
	gt_clirun_free(&r);
	assert_int_equal(run(f->ap71, &r, st), 0);
	assert_int_equal(gt_clirun_kv_num(r.out, "actions_queued"), 1);
	assert_non_null(strstr(r.out, "action kind=submit dataset=KK period=2025 orgunit=53.71 "
	                              "outcome=queued"));
	gt_clirun_free(&r);
	const char *again[] = {"--listen", listen, NULL};
	gt_testserver_start(f->ts, again);
	assert_int_equal(run(f->ap71, &r, push), 0);
	assert_non_null(strstr(r.out, "workflow actions: 1 applied"));
	gt_clirun_free(&r);
	struct mj *doc = report_json(f->ag53, "53");
	assert_string_equal(child_state(doc, "53.71"), "submitted");
	mj_free(doc);
}

/* A note written on two lines is approved like any value: the digest lists it escaped, and the
 * server computes the same digest. */
static void line_break_signed(void **state)
{
	struct fx *f = *state;
	struct gt_clirun r;
	const char *gt[] = {"approve", "--dataset", "GT", "--period", "2025", "--no-retry", NULL};

	set_and_push(f->op71, "GT_CATATAN", "2025S1", "baris satu\nbaris dua", &r);
	assert_non_null(strstr(r.out, "1 values acknowledged"));
	gt_clirun_free(&r);
	expect_says(f->ap71, 0, "approve: 1 value of GT for 2025", gt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(chain_end_to_end, setup, teardown),
	    cmocka_unit_test_setup_teardown(illegal_steps_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(locked_until_returned, setup, teardown),
	    cmocka_unit_test_setup_teardown(missing_district, setup, teardown),
	    cmocka_unit_test_setup_teardown(stale_digest_rejected, setup, teardown),
	    cmocka_unit_test_setup_teardown(crash_between_save_and_send, setup, teardown),
	    cmocka_unit_test_setup_teardown(totals_add_up, setup, teardown),
	    cmocka_unit_test_setup_teardown(line_break_signed, setup, teardown),
	    cmocka_unit_test_setup_teardown(server_down, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
