/* Hostile tests of the chain's integrity on the real server (issue 10): an approval bypassed by
 * naming another data set, a district storing another province's plan, control characters
 * aimed at terminals, refused material filling the disk, unbounded reasons and histories,
 * and the protocol's contract (sequences, refused acks, the proving key, request ids, the
 * words of conflicts). Each test says which item it covers. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "error.h"
#include "rules.h"
#include "session.h"
#include "snapshot.h"
#include "store.h"
#include "testserver.h"
#include "wire.h"

#define OK      GTSYNC__V1__PUSH_STATUS__PUSH_OK
#define WARNING GTSYNC__V1__PUSH_STATUS__PUSH_WARNING
#define REFUSED GTSYNC__V1__PUSH_STATUS__PUSH_REFUSED
#define WF(x)   GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_##x
#define C(x)    GTSYNC__V1__CONFLICT_REASON__CONFLICT_##x

struct actor {
	struct gt_key *key;
	char org[8];
	uint64_t seq;
};

struct fx {
	struct gt_testserver ts;
	struct actor op71, op72, op53, ap71, ap72, ap53, ag53, centre;
};

static void actor(struct fx *f, struct actor *a, const char *org, const char *role)
{
	a->key = gt_testserver_key(&f->ts, org, role);
	snprintf(a->org, sizeof(a->org), "%s", org);
	a->seq = 0;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	signal(SIGPIPE, SIG_IGN);
	gt_testserver_setup(&f->ts);
	actor(f, &f->op71, "53.71", "operator");
	actor(f, &f->op72, "53.72", "operator");
	actor(f, &f->op53, "53", "operator");
	actor(f, &f->ap71, "53.71", "approver");
	actor(f, &f->ap72, "53.72", "approver");
	actor(f, &f->ap53, "53", "approver");
	actor(f, &f->ag53, "53", "aggregator");
	actor(f, &f->centre, "ID", "secretariat");
	gt_testserver_start(&f->ts, NULL);
	/* The tests enter 2025, which expires as time goes by: opened for late entry. */
	gt_testserver_open_late(&f->ts, "53 53.71 53.72", "2025");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	struct actor *all[] = {&f->op71, &f->op72, &f->op53, &f->ap71,
	                       &f->ap72, &f->ap53, &f->ag53, &f->centre};
	gt_testserver_teardown(&f->ts);
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		gt_key_free(all[i]->key);
	free(f);
	return 0;
}

/* Signs and pushes b as a; returns the ack (caller frees). */
static gt_envelope *push(struct fx *f, struct actor *a, gt_batch *b)
{
	struct gt_session *s = gt_testserver_session(&f->ts, a->key, NULL);
	struct gt_test_signed sb;

	assert_non_null(s);
	gt_test_sign_batch(a->key, a->org, ++a->seq, b, &sb);
	gt_envelope *ack = gt_test_push(s, &sb);
	free(sb.bytes);
	gt_session_close(s);
	return ack;
}

/* Pushes one value; returns the ack (caller frees). */
static gt_envelope *value(struct fx *f, struct actor *a, const char *ds, const char *de,
                          const char *pe, const char *coc, const char *v, const char *comment)
{
	gt_batch b = GTSYNC__V1__BATCH__INIT;
	Gtsync__V1__DataValue dv = GTSYNC__V1__DATA_VALUE__INIT, *dvp = &dv;

	dv.dataset = (char *)ds;
	dv.data_element = (char *)de;
	dv.period = (char *)pe;
	dv.org_unit = a->org;
	dv.category_option_combo = (char *)coc;
	dv.value = (char *)v;
	dv.comment = (char *)(comment ? comment : "");
	dv.revision = a->seq + 1;
	b.values = &dvp;
	b.n_values = 1;
	return push(f, a, &b);
}

/* Takes one workflow action; returns the ack (caller frees). */
static gt_envelope *act(struct fx *f, struct actor *a, int kind, const char *ds, const char *org,
                        const char *reason, const uint8_t *digest)
{
	gt_batch b = GTSYNC__V1__BATCH__INIT;
	Gtsync__V1__WorkflowAction wa = GTSYNC__V1__WORKFLOW_ACTION__INIT, *wap = &wa;

	wa.kind = kind;
	wa.dataset = (char *)ds;
	wa.period = "2025";
	wa.org_unit = (char *)org;
	wa.reason = (char *)(reason ? reason : "");
	if (digest != NULL) {
		wa.data_digest.data = (uint8_t *)digest;
		wa.data_digest.len = 32;
	}
	b.actions = &wap;
	b.n_actions = 1;
	return push(f, a, &b);
}

static void expect_status(gt_envelope *ack, int status)
{
	if ((int)ack->push_ack->status != status)
		fail_msg("status %d, wanted %d: %s", ack->push_ack->status, status,
		         ack->push_ack->n_conflicts ? ack->push_ack->conflicts[0]->message
		                                    : ack->push_ack->message);
	gt_wire_envelope_free(ack);
}

static void expect_conflict(gt_envelope *ack, int reason, const char *words)
{
	const Gtsync__V1__PushAck *p = ack->push_ack;
	if (p->status != WARNING || p->n_conflicts != 1 || (int)p->conflicts[0]->reason != reason)
		fail_msg("expected one conflict %d, got status %d with %zu: %s", reason, p->status,
		         p->n_conflicts, p->n_conflicts ? p->conflicts[0]->message : p->message);
	if (words != NULL && strstr(p->conflicts[0]->message, words) == NULL)
		fail_msg("the conflict says \"%s\", not \"%s\"", p->conflicts[0]->message, words);
	gt_wire_envelope_free(ack);
}

/* The approval digest of (ds, 2025, org) as the server computes it (its store, read only). */
static void digest(struct fx *f, const char *ds, const char *org, uint8_t out[32])
{
	char db[4200];
	struct gt_store *st = NULL;
	struct gt_snapshot *snap = NULL;

	snprintf(db, sizeof(db), "%s/gtsync.db", f->ts.data);
	assert_int_equal(gt_store_open_readonly(db, &st), 0);
	assert_int_equal(gt_snapshot_load(st, &snap), 0);
	assert_int_equal(gt_rules_digest(st, snap, ds, "2025", org, out, NULL), 0);
	gt_snapshot_unref(snap);
	gt_store_close(st);
}

#define NTT_IND    "RADNTT2020.A1.A.01"
#define BANTEN_IND "RADBANTEN2017.REHSOS.01.P"
#define RAN_IND    "RAN2020.PENCEGAHAN.01"

/* issue 10 item 1: an approved cell cannot be overwritten by naming another data set, and a
 * district cannot store another province's plan. */
static void approval_not_bypassed_by_another_dataset(void **state)
{
	struct fx *f = *state;
	uint8_t approved[32], after[32];

	expect_status(value(f, &f->op71, "ACH_RADNTT2020", "ACH", "2025", NTT_IND, "4", NULL), OK);
	digest(f, "ACH_RADNTT2020", "53.71", approved);
	expect_status(act(f, &f->ap71, WF(APPROVE), "ACH_RADNTT2020", "53.71", NULL, approved), OK);
	/* The same cell sent as Banten's achievement: not applied, the approval stands. */
	expect_conflict(value(f, &f->op71, "ACH_RADBANTEN2017", "ACH", "2025", NTT_IND, "99", NULL),
	                C(OUTSIDE_PLAN), "belongs to plan RADNTT2020");
	/* Without a data set, or with its own: locked. */
	expect_conflict(value(f, &f->op71, "", "ACH", "2025", NTT_IND, "98", NULL),
	                C(LOCKED_PERIOD),
	                "locked by the approved report ACH_RADNTT2020 2025 of 53.71");
	digest(f, "ACH_RADNTT2020", "53.71", after);
	assert_memory_equal(approved, after, 32);
	/* An NTT district cannot store a Banten indicator. */
	expect_conflict(
	    value(f, &f->op72, "ACH_RADBANTEN2017", "ACH", "2025", BANTEN_IND, "1", NULL),
	    C(OUTSIDE_PLAN), "plan RADBANTEN2017 covers province 36 only; 53.72 is outside it");
}

/* issue 10 item 1: the lock holds whatever data set the value names: an approved NTT
 * achievement report at the province locks the province's ACH cells of the national plan. */
static void lock_covers_every_dataset_of_the_element(void **state)
{
	struct fx *f = *state;
	uint8_t d[32];

	/* 53.71 reports, 53.72 has nothing: its approver declares a nil report. */
	expect_status(value(f, &f->op71, "ACH_RADNTT2020", "ACH", "2025", NTT_IND, "4", NULL), OK);
	expect_status(value(f, &f->op53, "ACH_RAN2020", "ACH", "2025", RAN_IND, "1", NULL), OK);
	digest(f, "ACH_RADNTT2020", "53.71", d);
	expect_status(act(f, &f->ap71, WF(APPROVE), "ACH_RADNTT2020", "53.71", NULL, d), OK);
	expect_status(act(f, &f->ap72, WF(NIL_REPORT), "ACH_RADNTT2020", "53.72", NULL, NULL), OK);
	digest(f, "ACH_RADNTT2020", "53.72", d);
	expect_status(act(f, &f->ap72, WF(APPROVE), "ACH_RADNTT2020", "53.72", NULL, d), OK);
	expect_status(act(f, &f->ag53, WF(ACCEPT), "ACH_RADNTT2020", "53.71", NULL, NULL), OK);
	expect_status(act(f, &f->ag53, WF(ACCEPT), "ACH_RADNTT2020", "53.72", NULL, NULL), OK);
	digest(f, "ACH_RADNTT2020", "53", d);
	expect_status(act(f, &f->ap53, WF(APPROVE), "ACH_RADNTT2020", "53", NULL, d), OK);
	/* The province's RAN achievement is a cell of ACH too, and ACH_RADNTT2020 is approved. */
	expect_conflict(value(f, &f->op53, "ACH_RAN2020", "ACH", "2025", RAN_IND, "7", NULL),
	                C(LOCKED_PERIOD),
	                "locked by the approved report ACH_RADNTT2020 2025 of 53");
}

/* issue 10 item 5 (server side): comments and reasons with control characters are refused;
 * a line feed in a comment is kept. */
static void control_characters_refused(void **state)
{
	struct fx *f = *state;

	expect_status(value(f, &f->op71, "", "KK_LP", "202501", "", "1", "dua\nbaris"), OK);
	expect_conflict(value(f, &f->op71, "", "KK_LP", "202502", "", "1", "\x1b[2J\x1b[31mhapus"),
	                C(BAD_TEXT), "U+001B");
	expect_conflict(value(f, &f->op71, "", "KK_LP", "202503", "", "1",
	                      "\xc2\x9b"
	                      "2J"),
	                C(BAD_TEXT), "U+009B");
	expect_status(value(f, &f->op71, "", "KK_LP", "202504", "", "1", NULL), OK);
	expect_conflict(act(f, &f->ag53, WF(RETURN), "KK", "53.71", "cek\r\x1b[Apalsu", NULL),
	                C(BAD_TEXT), "reason holds the control character U+000D");
}

/* issue 10 item 7: batches of which nothing applies leave their hash and outcome only. */
static void refused_material_does_not_fill_the_disk(void **state)
{
	struct fx *f = *state;
	static char comment[GT_MAX_COMMENT_LEN];
	Gtsync__V1__DataValue dv[100], *dvp[100];
	char db[4200];
	struct stat before, after;

	memset(comment, 'k', sizeof(comment) - 1);
	snprintf(db, sizeof(db), "%s/gtsync.db", f->ts.data);
	for (int i = 0; i < 100; i++) {
		gtsync__v1__data_value__init(&dv[i]);
		dv[i].data_element = "TIDAK_ADA"; /* no such element: every value refused */
		dv[i].period = "202501";
		dv[i].org_unit = "53.71";
		dv[i].value = "1";
		dv[i].comment = comment;
		dv[i].revision = 1;
		dvp[i] = &dv[i];
	}
	expect_status(value(f, &f->op71, "", "KK_LP", "202501", "", "1", NULL), OK);
	assert_int_equal(gt_testserver_stop(&f->ts), 0); /* checkpoints the WAL */
	assert_int_equal(stat(db, &before), 0);
	gt_testserver_start(&f->ts, NULL);
	/* 10 batches of ~3.5 MiB each, all refused. */
	for (int n = 0; n < 10; n++) {
		gt_batch b = GTSYNC__V1__BATCH__INIT;
		b.values = dvp;
		b.n_values = 60;
		gt_envelope *ack = push(f, &f->op71, &b);
		assert_int_equal(ack->push_ack->status, WARNING);
		assert_int_equal(ack->push_ack->counts->ignored, 60);
		gt_wire_envelope_free(ack);
	}
	assert_int_equal(gt_testserver_stop(&f->ts), 0);
	assert_int_equal(stat(db, &after), 0);
	fprintf(stderr, "10 refused batches of %zu kB grew the store by %lld bytes\n",
	        (size_t)60 * sizeof(comment) / 1024, (long long)(after.st_size - before.st_size));
	assert_true(after.st_size - before.st_size < 64 * 1024);
	gt_testserver_start(&f->ts, NULL);
}

/* issue 10 item 8: reasons are bounded, actions per batch too, and a report carries the
 * latest events of its history with the count of all. */
static void history_stays_readable(void **state)
{
	struct fx *f = *state;
	char big[600];
	uint8_t d[32];

	memset(big, 'r', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	expect_status(value(f, &f->op71, "", "KK_LP", "202501", "", "1", NULL), OK);
	digest(f, "KK", "53.71", d);
	/* One batch cycling approve and unapprove: within the bound, each with a reason. */
	Gtsync__V1__WorkflowAction wa[100], *wap[100];
	for (int i = 0; i < 100; i++) {
		gtsync__v1__workflow_action__init(&wa[i]);
		wa[i].kind = i % 2 == 0 ? WF(APPROVE) : WF(UNAPPROVE);
		wa[i].dataset = "KK";
		wa[i].period = "2025";
		wa[i].org_unit = "53.71";
		wa[i].reason = "putaran";
		wa[i].data_digest.data = d;
		wa[i].data_digest.len = 32;
		wap[i] = &wa[i];
	}
	gt_batch b = GTSYNC__V1__BATCH__INIT;
	b.actions = wap;
	b.n_actions = 100;
	expect_status(push(f, &f->ap71, &b), OK);
	/* 101 actions: refused whole as too big. */
	Gtsync__V1__WorkflowAction *more[101];
	for (int i = 0; i < 101; i++)
		more[i] = &wa[i % 100];
	b.actions = more;
	b.n_actions = 101;
	gt_envelope *ack = push(f, &f->ap71, &b);
	assert_int_equal(ack->push_ack->status, REFUSED);
	assert_int_equal(ack->push_ack->refuse_code, GT_ETOOBIG);
	gt_wire_envelope_free(ack);
	/* A 599-byte reason is skipped as bad text. */
	expect_conflict(act(f, &f->ag53, WF(RETURN), "KK", "53.71", big, NULL), C(BAD_TEXT),
	                "at most 500 are kept");

	struct gt_session *s = gt_testserver_session(&f->ts, f->ag53.key, NULL);
	gt_envelope env = GTSYNC__V1__ENVELOPE__INIT, *reply = NULL;
	Gtsync__V1__ReportRequest rq = GTSYNC__V1__REPORT_REQUEST__INIT;
	struct gt_session_err err;
	rq.org_unit = "53.71";
	rq.dataset = "KK";
	rq.period = "2025";
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_REPORT_REQUEST;
	env.report_request = &rq;
	assert_int_equal(gt_session_call(s, &env, &reply, &err), 0);
	const Gtsync__V1__ReportReply *rep = reply->report_reply;
	/* The opening for late entry, then 100 cycles: the latest 50 with the count. */
	assert_int_equal(rep->history_total, 101);
	assert_int_equal(rep->n_history, GT_RULES_HISTORY);
	assert_int_equal(rep->history[GT_RULES_HISTORY - 1]->kind, WF(UNAPPROVE));
	gt_wire_envelope_free(reply);
	gt_session_close(s);
}

/* issue 10 item 14: sequences only increase, as the proto says; a refused ack names the
 * batch; the proving key is the key Hello named; the challenge is server-initiated (request
 * id 0); a value of another data set's element says so. */
static void protocol_contract(void **state)
{
	struct fx *f = *state;
	gt_batch b = GTSYNC__V1__BATCH__INIT;
	Gtsync__V1__DataValue dv = GTSYNC__V1__DATA_VALUE__INIT, *dvp = &dv;
	struct gt_session *s = gt_testserver_session(&f->ts, f->op71.key, NULL);
	struct gt_test_signed sb;
	gt_envelope *ack;

	assert_non_null(s);
	assert_int_equal(gt_session_challenge_rid(s), 0);
	dv.data_element = "KK_LP";
	dv.period = "202501";
	dv.org_unit = "53.71";
	dv.value = "2";
	dv.revision = 1;
	b.values = &dvp;
	b.n_values = 1;
	gt_test_sign_batch(f->op71.key, "53.71", 10, &b, &sb);
	expect_status(gt_test_push(s, &sb), OK);
	free(sb.bytes);
	gt_test_sign_batch(f->op71.key, "53.71", 5, &b, &sb);
	ack = gt_test_push(s, &sb);
	assert_int_equal(ack->push_ack->status, REFUSED);
	assert_int_equal(ack->push_ack->refuse_code, GT_ECONFLICT);
	assert_non_null(strstr(ack->push_ack->message, "sequence 5 is not above"));
	assert_int_equal(ack->push_ack->sequence, 5);
	assert_int_equal(ack->push_ack->batch_id.len, 16);
	gt_wire_envelope_free(ack);
	/* A signature that does not verify: refused, and the ack still names the batch. */
	gt_test_sign_batch(f->op71.key, "53.71", 11, &b, &sb);
	sb.sig[0] ^= 1;
	ack = gt_test_push(s, &sb);
	assert_int_equal(ack->push_ack->status, REFUSED);
	assert_int_equal(ack->push_ack->refuse_code, GT_EBADSIG);
	assert_int_equal(ack->push_ack->sequence, 11);
	assert_int_equal(ack->push_ack->batch_id.len, 16);
	gt_wire_envelope_free(ack);
	free(sb.bytes);
	gt_session_close(s);
	f->op71.seq = 11;

	/* A value naming a data set without its element. */
	expect_conflict(value(f, &f->op71, "LY", "KK_LP", "202501", "", "3", NULL),
	                C(ELEMENT_NOT_IN_DATASET),
	                "value \"3\" of KK_LP for 202501 at 53.71: data element KK_LP is not in "
	                "data set LY; it belongs to KK");

	/* Hello names one key, the proof is by another (both registered). */
	char other[GT_KEY_ID_LEN + 1];
	struct gt_session_err err;
	struct gt_session_opts o = {
	    .server = f->ts.addr, .ca_path = f->ts.cert, .key = f->op72.key, .hello_key_id = other};
	assert_int_equal(gt_key_id(f->op71.key, other), 0);
	assert_int_not_equal(gt_session_open(&o, &s, NULL, &err), 0);
	assert_null(s);
	assert_int_equal(err.code, GT_EKEY);
	assert_non_null(strstr(err.message, "not the key named in Hello"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(approval_not_bypassed_by_another_dataset, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(lock_covers_every_dataset_of_the_element, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(control_characters_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(refused_material_does_not_fill_the_disk, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(history_stays_readable, setup, teardown),
	    cmocka_unit_test_setup_teardown(protocol_contract, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
