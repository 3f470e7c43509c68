/* Integration (issue 14): `gtsync verify` checks a report's figures against the signed batches
 * behind them, with the real server. Districts push; a province's aggregator verifies the
 * province's report (and it must say "verified" with the right counts); then the centre's store
 * is changed behind the server's back — a value changed in the values table, a batch removed
 * from the batch log, a logged batch's bytes rewritten — and verify catches each one with its
 * own sentence and exits 1. A reader key is refused. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "clirun.h"
#include "error.h"
#include "home.h"
#include "testserver.h"
#include "verify.h"

/* English messages, whatever the machine's locale. */
static const char *const env_en[] = {"LANGUAGE=", "LC_ALL=", "LC_MESSAGES=", "LANG=en_US.UTF-8",
                                     NULL};

static void run_ok(const char *home, const char *const *args)
{
	struct gt_clirun r;

	gt_clirun(&r, home, env_en, 60, args);
	if (r.status != 0)
		fail_msg("gtsync %s failed (%d): %s%s", args[0], r.status, r.out, r.err);
	gt_clirun_free(&r);
}

static void set_value(const char *home, const char *element, const char *coc, const char *value)
{
	const char *const set[] = {"set", "--dataset", "KK", element, "202401", coc, value, NULL};
	run_ok(home, set);
}

static const char *const push[] = {"push", "--no-retry", NULL};
static const char *const verify53[] = {"verify", "--org",    "53",   "--dataset",
                                       "KK",     "--period", "2024", NULL};

/* The homes of one test: two districts' operators and the province's aggregator. */
struct homes {
	char d1[4200], d2[4200], prov[4200];
};

/* Four batches: 53.71 twice (the second a newer revision of the same cells), 53.72 once with
 * values and once with its approval. The province's victims: 5 (53.71's newer figures) + 4 =
 * 9. */
static void populate(struct gt_testserver *ts, struct homes *h)
{
	gt_clirun_client(ts, "d1", "53.71", "operator", h->d1, sizeof(h->d1));
	gt_clirun_client(ts, "d2", "53.72", "operator,approver", h->d2, sizeof(h->d2));
	gt_clirun_client(ts, "prov", "53", "aggregator", h->prov, sizeof(h->prov));
	set_value(h->d1, "KK_KORBAN", "PD", "3");
	set_value(h->d1, "KK_KORBAN_TOTAL", "", "3");
	run_ok(h->d1, push);
	set_value(h->d2, "KK_KORBAN", "PD", "4");
	set_value(h->d2, "KK_KORBAN_TOTAL", "", "4");
	run_ok(h->d2, push);
	/* 53.72 approves its month: the digest it signs is checked against the batches too. */
	{
		const char *const approve[] = {"approve",  "--dataset", "KK",
		                               "--period", "202401",    NULL};
		run_ok(h->d2, approve);
		run_ok(h->d2, push);
	}
	set_value(h->d1, "KK_KORBAN", "PD", "5");
	set_value(h->d1, "KK_KORBAN_TOTAL", "", "5");
	run_ok(h->d1, push);
}

/* Runs verify with args as the province and expects it to fail with each of says on stdout. */
static void verify_fails_with(const char *home, const char *const *args, const char *const *says)
{
	struct gt_clirun r;

	gt_clirun(&r, home, env_en, 120, args);
	if (r.status != 1 || strstr(r.out, "NOT verified:") == NULL ||
	    strstr(r.out, "verified: 9 victims") != NULL)
		fail_msg("verify should fail (1), got %d: %s%s", r.status, r.out, r.err);
	for (; *says != NULL; says++)
		if (strstr(r.out, *says) == NULL)
			fail_msg("verify should say \"%s\": %s%s", *says, r.out, r.err);
	gt_clirun_free(&r);
}

/* Runs verify53 as the province and expects it to fail with each of says on stdout. */
static void verify_fails(const char *home, const char *const *says)
{
	verify_fails_with(home, verify53, says);
}

/* Populates, runs sql on the store behind the server's back, and expects verify53 to fail
 * with each of says. */
static void caught(struct gt_testserver *ts, const char *sql, const char *const *says)
{
	struct homes h;

	populate(ts, &h);
	gt_testserver_tamper(ts, sql, NULL);
	verify_fails(h.prov, says);
}

/* The untampered store verifies, with the right counts; a district verifies its own unit. The
 * test can fail: a wrong count or a missing batch would show in these lines. */
static void an_honest_store_verifies(void **state)
{
	struct gt_testserver *ts = *state;
	struct homes h;
	struct gt_clirun r;
	const char *const own[] = {"verify", "--dataset", "KK", "--period", "2024", NULL};
	struct timespec t0, t1;

	populate(ts, &h);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	gt_clirun(&r, h.prov, env_en, 120, verify53);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (r.status != 0 ||
	    strstr(r.out, "verified: 9 victims = 4 signed batches from 2 units, tree head ") ==
	        NULL)
		fail_msg("verify: %d %s%s", r.status, r.out, r.err);
	if (strstr(r.out, "approvals: 1 signed digest matches the signed batches") == NULL)
		fail_msg("verify should check 53.72's approval: %s", r.out);
	print_message("verify of 53 KK 2024 (4 batches, 1 approval): %.0f ms\n",
	              (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	                  (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	gt_clirun_free(&r);
	/* The district's own report: 53.71's newer figures, from its two batches. */
	gt_clirun(&r, h.d1, env_en, 120, own);
	if (r.status != 0 ||
	    strstr(r.out, "verified: 5 victims = 2 signed batches from 1 units") == NULL)
		fail_msg("verify as the district: %d %s%s", r.status, r.out, r.err);
	gt_clirun_free(&r);
	/* The nation's report, verified by the secretariat: the districts' figures roll up
	 * through their province (issue 14 item: any key whose scope covers the org). */
	{
		const char *const national[] = {"verify", "--org",    "ID",   "--dataset",
		                                "KK",     "--period", "2024", NULL};
		char sec[4200];

		gt_clirun_client(ts, "sec", "ID", "secretariat", sec, sizeof(sec));
		gt_clirun(&r, sec, env_en, 120, national);
		if (r.status != 0 || strstr(r.out, "verified: 9 victims = ") == NULL ||
		    strstr(r.out, " from 2 units, tree head ") == NULL)
			fail_msg("verify as the secretariat: %d %s%s", r.status, r.out, r.err);
		gt_clirun_free(&r);
	}
	/* In Bahasa Indonesia where the office speaks it. */
	{
		const char *const env_id[] = {"LANGUAGE=", "LC_ALL=", "LC_MESSAGES=", "LANG=C",
		                              NULL};

		gt_clirun(&r, h.prov, env_id, 120, verify53);
		if (r.status != 0 || strstr(r.out, "terverifikasi: 9 korban") == NULL)
			fail_msg("verify in Bahasa Indonesia: %d %s%s", r.status, r.out, r.err);
		gt_clirun_free(&r);
	}
}

/* A reader key gets consolidated reports only: no batches, so no verify. */
static void a_reader_is_refused(void **state)
{
	struct gt_testserver *ts = *state;
	struct gt_clirun r;
	char home[4200];

	gt_clirun_client(ts, "reader", "53", "reader", home, sizeof(home));
	gt_clirun(&r, home, env_en, 60, verify53);
	if (r.status != 1 || strstr(r.err, "a reader key cannot verify a report") == NULL)
		fail_msg("a reader's verify: %d %s%s", r.status, r.out, r.err);
	gt_clirun_free(&r);
}

/* (a) A value changed in the values table: the report no longer matches the batches. */
static void a_changed_value_is_caught(void **state)
{
	struct gt_testserver *ts = *state;
	const char *const says[] = {
	    "differs: KK_KORBAN_TOTAL - at 53 (total): the server's "
	    "report says 10 (2 values), the signed batches give 9 (2 values)",
	    "differs: KK_KORBAN_TOTAL - at 53.72: the server's report says "
	    "5 (1 values), the signed batches give 4 (1 values)",
	    NULL};

	caught(ts,
	       "UPDATE datavalues SET value = '5', num = 5 WHERE data_element = "
	       "'KK_KORBAN_TOTAL' AND org_unit = '53.72'",
	       says);
}

/* (b) A batch removed from the batch log: its leaf has nothing behind it, the figures it gave
 * have no signed batch, and the approval signed over them no longer matches. */
static void a_removed_batch_is_caught(void **state)
{
	struct gt_testserver *ts = *state;
	const char *const says[] = {"the server's log lost the batch behind it",
	                            "the approval of KK 202401 at 53.72 signed a digest that the "
	                            "signed batches before it do not give",
	                            "differs: KK_KORBAN_TOTAL - at 53.72: the server's report says "
	                            "4 (1 values), the signed batches give 0 (0 values)",
	                            NULL};

	caught(ts,
	       "DELETE FROM batch_log WHERE log_index = (SELECT min(log_index) FROM batch_log "
	       "WHERE org_unit = '53.72')",
	       says);
}

/* Rewrites the value "4" of 53.72's batch into "8" in the batch's bytes. */
static void rewrite_bytes(sqlite3 *db)
{
	sqlite3_stmt *s = NULL;
	uint8_t *copy;
	int n, done = 0;

	assert_int_equal(sqlite3_prepare_v2(db,
	                                    "SELECT batch FROM batch_log WHERE org_unit = '53.72' "
	                                    "ORDER BY log_index LIMIT 1",
	                                    -1, &s, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	n = sqlite3_column_bytes(s, 0);
	copy = malloc((size_t)n);
	assert_non_null(copy);
	memcpy(copy, sqlite3_column_blob(s, 0), (size_t)n);
	sqlite3_finalize(s);
	/* DataValue.value (field 5, one byte "4"): 0x2a 0x01 '4'. */
	for (int i = 0; i + 2 < n; i++)
		if (copy[i] == 0x2a && copy[i + 1] == 0x01 && copy[i + 2] == '4') {
			copy[i + 2] = '8';
			done++;
		}
	assert_true(done > 0);
	assert_int_equal(
	    sqlite3_prepare_v2(db,
	                       "UPDATE batch_log SET batch = ?1 WHERE log_index = (SELECT "
	                       "min(log_index) FROM batch_log WHERE org_unit = '53.72')",
	                       -1, &s, NULL),
	    SQLITE_OK);
	sqlite3_bind_blob(s, 1, copy, n, SQLITE_TRANSIENT);
	assert_int_equal(sqlite3_step(s), SQLITE_DONE);
	sqlite3_finalize(s);
	free(copy);
}

/* (c) A logged batch's bytes rewritten: they are not the bytes whose hash the log holds. */
static void a_rewritten_entry_is_caught(void **state)
{
	struct gt_testserver *ts = *state;
	struct homes h;
	const char *const says[] = {"the batch's bytes were rewritten", NULL};

	populate(ts, &h);
	gt_testserver_tamper(ts, NULL, rewrite_bytes);
	verify_fails(h.prov, says);
}

/* Verifies the province's report in this process: the result's per-batch list (the
 * dashboard's provenance page reads it). */
static int verify_here(const char *home, struct gt_verify_result *res)
{
	struct gt_verify_opts o = {.org = "53", .dataset = "KK", .period = "2024"};
	struct gt_home *h = NULL;
	FILE *out = tmpfile();
	int rc;

	assert_non_null(out);
	o.out = out;
	assert_int_equal(gt_home_open(home, out, &h), GT_OK);
	rc = gt_verify_run(h, &o, res);
	gt_home_close(h);
	fclose(out);
	return rc;
}

/* The batches of unit org in the result's list, and how many of their values count. */
static size_t batches_of(const struct gt_verify_result *res, const char *org, size_t *won)
{
	size_t n = 0;

	*won = 0;
	for (size_t i = 0; i < res->nlist; i++) {
		if (strcmp(res->list[i].org, org) != 0)
			continue;
		n++;
		*won += res->list[i].nwon;
	}
	return n;
}

/* The result lists every batch pushed, per unit, with its key, role, time, verified signature
 * and inclusion; the values that count are the newest revisions; after a value is changed
 * behind the server's back, the differences name the exact cells. */
static void the_result_lists_the_batches(void **state)
{
	struct gt_testserver *ts = *state;
	struct gt_verify_result res;
	struct homes h;
	size_t won71, won72, diffs53 = 0;
	uint64_t prev_leaf = 0;

	populate(ts, &h);
	assert_int_equal(verify_here(h.prov, &res), GT_OK);
	/* 53.71 pushed twice, 53.72 twice (its values, then its approval). */
	assert_int_equal(res.nlist, 4);
	assert_int_equal(batches_of(&res, "53.71", &won71), 2);
	assert_int_equal(batches_of(&res, "53.72", &won72), 2);
	/* 53.71's newer batch wins both its cells; 53.72's one batch of values both of its. */
	assert_int_equal(won71, 2);
	assert_int_equal(won72, 2);
	assert_int_equal(res.batches, 4);
	assert_int_equal(res.units, 2);
	assert_int_equal(res.ndiffs, 0);
	for (size_t i = 0; i < res.nlist; i++) {
		const struct gt_verify_batch *b = &res.list[i];
		assert_true(b->signature_ok);
		assert_true(b->included);
		assert_true(b->leaf >= prev_leaf);
		assert_true(b->leaf < res.tree_size);
		assert_int_equal(strlen(b->key_id), 16);
		assert_true(b->created_ms > 1700000000000LL);
		assert_true(b->roles != 0);
		prev_leaf = b->leaf;
	}
	/* The first of 53.71's batches is superseded: none of its values counts. */
	for (size_t i = 0; i < res.nlist; i++)
		if (strcmp(res.list[i].org, "53.71") == 0) {
			assert_int_equal(res.list[i].nvalues, 2);
			assert_int_equal(res.list[i].nwon, 0);
			break;
		}
	for (size_t i = 0; i < res.nvalues; i++)
		assert_true(res.values[i].batch < res.nlist);
	gt_verify_result_free(&res);
	gt_verify_result_free(&res); /* twice, and NULL: both fine */
	gt_verify_result_free(NULL);

	gt_testserver_tamper(ts,
	                     "UPDATE datavalues SET value = '5', num = 5 WHERE data_element = "
	                     "'KK_KORBAN_TOTAL' AND org_unit = '53.72'",
	                     NULL);
	assert_int_equal(verify_here(h.prov, &res), GT_ECORRUPT);
	assert_int_equal(res.ndiffs, 2);
	for (size_t i = 0; i < res.ndiffs; i++) {
		const struct gt_verify_diff *d = &res.diffs[i];
		assert_string_equal(d->element, "KK_KORBAN_TOTAL");
		assert_string_equal(d->coc, "");
		assert_true(d->in_report);
		assert_true(d->reported - d->recomputed == 1.0);
		if (d->scope[0] == '\0') {
			assert_true(d->reported == 10.0);
			diffs53++;
		} else {
			assert_string_equal(d->scope, "53.72");
			assert_true(d->recomputed == 4.0);
		}
	}
	assert_int_equal(diffs53, 1);
	/* The batches themselves still check: the store, not the log, was changed. */
	assert_int_equal(res.nlist, 4);
	for (size_t i = 0; i < res.nlist; i++)
		assert_true(res.list[i].signature_ok && res.list[i].included);
	gt_verify_result_free(&res);
}

/* issue 14: a unit whose values the store lost is listed as not reported; the signed batches
 * hold its values, so verify says the report's completeness is wrong too. */
static void a_unit_shown_missing_is_caught(void **state)
{
	struct gt_testserver *ts = *state;
	const char *const says[] = {
	    "differs: the server's report counts 53.71 as not reported, but the signed log shows "
	    "its values for the period",
	    "differs: the server's report counts 1 of 3 units as reported; the signed log shows 2",
	    "differs: at 53.71 the server's report counts 0 of 1 units as reported, 0 on time; the "
	    "signed log shows 1 of 1, 0 on time",
	    "differs: the server's report shows no value of 53.71 arrived; the signed log says the "
	    "first arrived ",
	    NULL};

	caught(ts, "DELETE FROM datavalues WHERE org_unit = '53.71'", says);
}

/* issue 14: a key that took no action in the report's history (53.71's operator only pushed)
 * is named by the label its latest key record carries; before it had one, it had none. */
static void a_silent_key_is_named_by_its_label(void **state)
{
	static const char label[] = "Dinas PPPA Kota Kupang \xe2\x80\x94 operator 1";
	struct gt_testserver *ts = *state;
	struct gt_verify_result res;
	struct homes h;
	char id[GT_KEY_ID_LEN + 1] = "";
	size_t n71 = 0;

	populate(ts, &h);
	assert_int_equal(verify_here(h.prov, &res), GT_OK);
	for (size_t i = 0; i < res.nlist; i++)
		if (strcmp(res.list[i].org, "53.71") == 0) {
			assert_string_equal(res.list[i].key_label, "");
			snprintf(id, sizeof(id), "%s", res.list[i].key_id);
		}
	gt_verify_result_free(&res);
	assert_int_equal(strlen(id), GT_KEY_ID_LEN);

	/* A new label is a signed record of its own (KEY_LABEL_CHANGED), logged at once. */
	const char *const name[] = {"key", "label", id, label, NULL};
	assert_int_equal(gt_testserver_admin(ts, name), 0);
	assert_int_equal(verify_here(h.prov, &res), GT_OK);
	for (size_t i = 0; i < res.nlist; i++) {
		if (strcmp(res.list[i].org, "53.71") == 0) {
			assert_string_equal(res.list[i].key_label, label);
			n71++;
		} else {
			assert_string_not_equal(res.list[i].key_label, label);
		}
	}
	assert_int_equal(n71, 2);
	gt_verify_result_free(&res);
}

/* Runs verify with args as the province and expects it to pass. */
static void verify_passes(const char *home, const char *const *args)
{
	struct gt_clirun r;

	gt_clirun(&r, home, env_en, 120, args);
	if (r.status != 0 || strstr(r.out, "verified: ") == NULL)
		fail_msg("verify should pass: %d %s%s", r.status, r.out, r.err);
	gt_clirun_free(&r);
}

static const char *const verify53_feb[] = {"verify", "--org",    "53",     "--dataset",
                                           "KK",     "--period", "202402", NULL};
static const char *const verify53_jan[] = {"verify", "--org",    "53",     "--dataset",
                                           "KK",     "--period", "202401", NULL};

/* issue 14: a nil report counts its unit as reported; every nil report the server lists must be
 * a signed WORKFLOW_NIL_REPORT of the entries, and every signed one must be listed. */
static void a_changed_nil_report_is_caught(void **state)
{
	struct gt_testserver *ts = *state;
	struct homes h;
	const char *const nil[] = {"nil-report", "--dataset", "KK", "--period", "202402", NULL};
	const char *const forged[] = {
	    "differs: the server's report lists a nil report of 53.71, but the signed log holds no "
	    "nil report of it for KK 202402",
	    "differs: the server's report counts 2 of 3 units as reported; the signed log shows 1",
	    "differs: at 53.71 the server's report counts 1 of 1 units as reported, 0 on time; the "
	    "signed log shows 0 of 1, 0 on time",
	    NULL};
	const char *const removed[] = {
	    "differs: the signed log holds a nil report of 53.72 for the period, which the "
	    "server's report does not list",
	    "differs: the server's report counts 53.72 as not reported, but the signed log shows "
	    "its nil report for the period",
	    NULL};

	populate(ts, &h);
	run_ok(h.d2, nil);
	run_ok(h.d2, push);
	verify_passes(h.prov, verify53_feb);
	/* A nil report of 53.71 that no key signed. */
	gt_testserver_tamper(
	    ts,
	    "INSERT INTO workflow_events(dataset, period, org_unit, kind, key_id, "
	    "at_ms, reason, data_digest, origin_batch, change_seq) SELECT dataset, "
	    "period, '53.71', kind, key_id, at_ms, reason, data_digest, "
	    "origin_batch, change_seq + 1000 FROM workflow_events WHERE kind = 6",
	    NULL);
	verify_fails_with(h.prov, verify53_feb, forged);
	/* 53.72's signed one, gone from the store. */
	gt_testserver_tamper(ts, "DELETE FROM workflow_events WHERE kind = 6", NULL);
	verify_fails_with(h.prov, verify53_feb, removed);
}

/* issue 14: the time the server received a batch is in the batch's leaf (kind 3): changed in
 * the store, the leaf no longer proves in the signed tree. */
static void a_changed_receive_time_is_caught(void **state)
{
	struct gt_testserver *ts = *state;
	const char *const says[] = {
	    "is not in the tree this office verified",
	    "differs: the server's report says the first value of 53.72 arrived ", NULL};

	caught(ts,
	       "UPDATE batch_log SET received_at_ms = received_at_ms - 86400000 "
	       "WHERE org_unit = '53.72'",
	       says);
}

/* issue 14: on time is recomputed from the receive times the signed leaves cover: a value's
 * arrival moved before the deadline in the store makes the server count a unit on time that
 * the log shows late. */
static void a_changed_arrival_is_caught(void **state)
{
	struct gt_testserver *ts = *state;
	struct homes h;
	const char *const says[] = {
	    "differs: the server's report counts 1 units as reported on time; the signed log "
	    "shows 0",
	    "differs: at 53.72 the server's report counts 1 of 1 units as reported, 1 on time; the "
	    "signed log shows 1 of 1, 0 on time",
	    "differs: the server's report says the first value of 53.72 arrived ", NULL};

	populate(ts, &h);
	/* 15 January 2024, before the end of January and its grace days. */
	gt_testserver_tamper(
	    ts, "UPDATE datavalues SET created_at_ms = 1705300000000 WHERE org_unit = '53.72'",
	    NULL);
	verify_fails(h.prov, says);
}

/* issue 14: report states are replayed from the signed workflow actions with the server's
 * state machine (common/wfstate.c): a state changed in the store differs. */
static void a_changed_state_is_caught(void **state)
{
	struct gt_testserver *ts = *state;
	struct homes h;
	const char *const says[] = {
	    "differs: the server's report says the report KK 202401 of 53.72 is ", NULL};

	populate(ts, &h);
	verify_passes(h.prov, verify53_jan);
	gt_testserver_tamper(ts,
	                     "UPDATE workflow_state SET state = 5 WHERE org_unit = '53.72' AND "
	                     "period = '202401'",
	                     NULL);
	verify_fails_with(h.prov, verify53_jan, says);
}

/* issue 14: a year's approval covers values of months a month's verify does not fetch: the
 * month's verify names it as not checked (and still verifies what it covers); the year's
 * verify checks its digest. */
static void a_coarser_approval_is_named(void **state)
{
	struct gt_testserver *ts = *state;
	struct homes h;
	struct gt_clirun r;
	const char *const year[] = {"approve", "--dataset", "KK", "--period", "2024", NULL};
	const char *const month[] = {"verify", "--org",    "53",     "--dataset",
	                             "KK",     "--period", "202401", NULL};

	populate(ts, &h);
	run_ok(h.d2, year);
	run_ok(h.d2, push);
	gt_clirun(&r, h.prov, env_en, 120, month);
	if (r.status != 0 ||
	    strstr(r.out, "not checked: the approval of KK 2024 at 53.72 (leaf ") == NULL ||
	    strstr(r.out, "covers more than 202401; verify 2024 to check its digest") == NULL ||
	    strstr(r.out, "approvals: 1 signed digest matches") == NULL)
		fail_msg("the month's verify should name the year's approval: %d %s%s", r.status,
		         r.out, r.err);
	gt_clirun_free(&r);
	gt_clirun(&r, h.prov, env_en, 120, verify53);
	if (r.status != 0 || strstr(r.out, "not checked") != NULL ||
	    strstr(r.out, "approvals: 2 signed digests match the signed batches") == NULL)
		fail_msg("the year's verify should check both approvals: %d %s%s", r.status, r.out,
		         r.err);
	gt_clirun_free(&r);
}

/* issue 14: verify takes at most --max-entries log entries (GT_VERIFY_MAX_ENTRIES by default)
 * and says so, rather than holding whatever the server sends. */
static void the_entry_cap_holds(void **state)
{
	struct gt_testserver *ts = *state;
	struct homes h;
	struct gt_clirun r;
	const char *capped[] = {"verify", "--org",         "53", "--dataset", "KK", "--period",
	                        "2024",   "--max-entries", "3",  NULL};

	populate(ts, &h);
	gt_clirun(&r, h.prov, env_en, 120, capped);
	if (r.status != 1 ||
	    strstr(r.err, "the log holds more than 3 entries behind this report, "
	                  "the most one verification takes") == NULL ||
	    strstr(r.out, "verified") != NULL)
		fail_msg("verify past its cap: %d %s%s", r.status, r.out, r.err);
	gt_clirun_free(&r);
	capped[8] = "100";
	gt_clirun(&r, h.prov, env_en, 120, capped);
	if (r.status != 0 || strstr(r.out, "verified: 9 victims") == NULL)
		fail_msg("verify under its cap: %d %s%s", r.status, r.out, r.err);
	gt_clirun_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(an_honest_store_verifies, gt_clirun_server_setup,
	                                    gt_clirun_server_teardown),
	    cmocka_unit_test_setup_teardown(a_reader_is_refused, gt_clirun_server_setup,
	                                    gt_clirun_server_teardown),
	    cmocka_unit_test_setup_teardown(a_changed_value_is_caught, gt_clirun_server_setup,
	                                    gt_clirun_server_teardown),
	    cmocka_unit_test_setup_teardown(a_removed_batch_is_caught, gt_clirun_server_setup,
	                                    gt_clirun_server_teardown),
	    cmocka_unit_test_setup_teardown(a_rewritten_entry_is_caught, gt_clirun_server_setup,
	                                    gt_clirun_server_teardown),
	    cmocka_unit_test_setup_teardown(the_result_lists_the_batches, gt_clirun_server_setup,
	                                    gt_clirun_server_teardown),
	    cmocka_unit_test_setup_teardown(a_unit_shown_missing_is_caught, gt_clirun_server_setup,
	                                    gt_clirun_server_teardown),
	    cmocka_unit_test_setup_teardown(a_silent_key_is_named_by_its_label,
	                                    gt_clirun_server_setup, gt_clirun_server_teardown),
	    cmocka_unit_test_setup_teardown(a_coarser_approval_is_named, gt_clirun_server_setup,
	                                    gt_clirun_server_teardown),
	    cmocka_unit_test_setup_teardown(the_entry_cap_holds, gt_clirun_server_setup,
	                                    gt_clirun_server_teardown),
	    cmocka_unit_test_setup_teardown(a_changed_nil_report_is_caught, gt_clirun_server_setup,
	                                    gt_clirun_server_teardown),
	    cmocka_unit_test_setup_teardown(a_changed_receive_time_is_caught,
	                                    gt_clirun_server_setup, gt_clirun_server_teardown),
	    cmocka_unit_test_setup_teardown(a_changed_arrival_is_caught, gt_clirun_server_setup,
	                                    gt_clirun_server_teardown),
	    cmocka_unit_test_setup_teardown(a_changed_state_is_caught, gt_clirun_server_setup,
	                                    gt_clirun_server_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
