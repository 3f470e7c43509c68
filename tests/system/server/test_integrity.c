/* The chain's integrity on the real server (issue 10), hostile tests first: an approval
 * bypassed by naming another data set, a district storing another province's plan, control
 * characters aimed at terminals, refused material filling the disk, unbounded reasons and
 * histories, the protocol's contract (sequences, refused acks, the proving key, request ids,
 * the words of conflicts); then the chain's own gaps: expiry and late entry, validation at
 * submission, nil reports, the top of the chain. Each test says which item it covers. */
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

#include "clock.h"
#include "error.h"
#include "i18n.h"
#include "period.h"
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
	struct actor ap3601, ap3671, ap36, ag36;
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
	actor(f, &f->ap3601, "36.01", "approver");
	actor(f, &f->ap3671, "36.71", "approver");
	actor(f, &f->ap36, "36", "approver");
	actor(f, &f->ag36, "36", "aggregator");
	gt_testserver_start(&f->ts, NULL);
	/* The tests enter 2025, which expires as time goes by: opened for late entry (53.72 is
	 * left closed for the expiry test). */
	gt_testserver_open_late(&f->ts, "53 53.71", "2025");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	struct actor *all[] = {&f->op71, &f->op72,   &f->op53,   &f->ap71,   &f->ap72, &f->ap53,
	                       &f->ag53, &f->centre, &f->ap3601, &f->ap3671, &f->ap36, &f->ag36};
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

/* Takes one workflow action on period (NULL: 2025), acknowledging the rule ack (or NULL) and
 * opening until (open-late, or NULL); returns the ack (caller frees). */
static gt_envelope *act_full(struct fx *f, struct actor *a, int kind, const char *ds,
                             const char *period, const char *org, const char *reason,
                             const uint8_t *digest, char *ack, const char *until)
{
	gt_batch b = GTSYNC__V1__BATCH__INIT;
	Gtsync__V1__WorkflowAction wa = GTSYNC__V1__WORKFLOW_ACTION__INIT, *wap = &wa;

	wa.period = (char *)(period ? period : "2025");
	wa.open_until = (char *)(until ? until : "");
	if (ack != NULL) {
		wa.acknowledged_rules = &ack;
		wa.n_acknowledged_rules = 1;
	}
	wa.kind = kind;
	wa.dataset = (char *)ds;
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

static gt_envelope *act(struct fx *f, struct actor *a, int kind, const char *ds, const char *org,
                        const char *reason, const uint8_t *digest)
{
	return act_full(f, a, kind, ds, NULL, org, reason, digest, NULL, NULL);
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
static void digest(struct fx *f, const char *ds, const char *org, uint8_t out[32]);

/* Approves (ds, 2025) at org as a with the digest of what the server holds; returns the ack. */
static gt_envelope *approve(struct fx *f, struct actor *a, const char *ds, const char *org,
                            char *ack)
{
	uint8_t d[32];
	digest(f, ds, org, d);
	return act_full(f, a, WF(APPROVE), ds, NULL, org, NULL, d, ack, NULL);
}

/* A report of ds for 2025 at org, as the secretariat reads it (caller frees). */
static gt_envelope *report(struct fx *f, const char *ds, const char *org)
{
	struct gt_session *s = gt_testserver_session(&f->ts, f->centre.key, NULL);
	gt_envelope env = GTSYNC__V1__ENVELOPE__INIT, *reply = NULL;
	Gtsync__V1__ReportRequest rq = GTSYNC__V1__REPORT_REQUEST__INIT;
	struct gt_session_err err;

	assert_non_null(s);
	rq.org_unit = (char *)org;
	rq.dataset = (char *)ds;
	rq.period = "2025";
	rq.per_child = 1;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_REPORT_REQUEST;
	env.report_request = &rq;
	assert_int_equal(gt_session_call(s, &env, &reply, &err), 0);
	assert_int_equal(reply->body_case, GTSYNC__V1__ENVELOPE__BODY_REPORT_REPLY);
	gt_session_close(s);
	return reply;
}

static int listed(char **list, size_t n, const char *code)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], code) == 0)
			return 1;
	return 0;
}

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

	gt_envelope *reply = report(f, "KK", "53.71");
	const Gtsync__V1__ReportReply *rep = reply->report_reply;
	/* The opening for late entry, then 100 cycles: the latest 50 with the count. */
	assert_int_equal(rep->history_total, 101);
	assert_int_equal(rep->n_history, GT_RULES_HISTORY);
	assert_int_equal(rep->history[GT_RULES_HISTORY - 1]->kind, WF(UNAPPROVE));
	gt_wire_envelope_free(reply);
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
	free(sb.bytes);
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

/* issue 10 item 13: expiry is enforced, and the parent opens a unit for late entry with a
 * signed action that shows in the history. */
static void expiry_and_late_entry(void **state)
{
	struct fx *f = *state;
	struct gt_date today, old;
	struct gt_period month;
	char pe[GT_PERIOD_MAX_LEN], year[16], until[32];

	/* A month that ended more than KK's 90 days of expiry ago, and 53.72 not open. */
	assert_int_equal(gt_date_from_days(gt_clock_wall_ms() / 86400000, &today), 0);
	assert_int_equal(gt_date_from_days(gt_clock_wall_ms() / 86400000 - 200, &old), 0);
	assert_int_equal(gt_period_from_date(GT_PERIOD_MONTHLY, &old, &month), 0);
	assert_int_equal(gt_period_format(&month, pe, sizeof(pe)), 0);
	snprintf(year, sizeof(year), "%d", old.year);
	snprintf(until, sizeof(until), "%04d-12-31", today.year + 1);
	expect_conflict(value(f, &f->op72, "", "KK_LP", pe, "", "3", NULL), C(EXPIRED_PERIOD),
	                "the parent can open it for late entry");
	/* Only the parent (or the secretariat) may open it, with a reason and a last day. */
	gt_envelope *ack =
	    act_full(f, &f->ap72, WF(OPEN_LATE), "KK", year, "53.72", "telat", NULL, NULL, until);
	assert_int_equal(ack->push_ack->status, REFUSED);
	assert_int_equal(ack->push_ack->refuse_code, GT_EPERM);
	gt_wire_envelope_free(ack);
	expect_conflict(
	    act_full(f, &f->ag53, WF(OPEN_LATE), "KK", year, "53.72", "", NULL, NULL, until),
	    C(INVALID_TRANSITION), "needs a reason");
	expect_status(act_full(f, &f->ag53, WF(OPEN_LATE), "KK", year, "53.72",
	                       "laporan Kota Dua terlambat", NULL, NULL, until),
	              OK);
	expect_status(value(f, &f->op72, "", "KK_LP", pe, "", "3", NULL), OK);
	/* A later opening that ended yesterday closes it again. */
	char past[16];
	struct gt_date y;
	assert_int_equal(gt_date_from_days(gt_clock_wall_ms() / 86400000 - 1, &y), 0);
	assert_int_equal(gt_date_format(&y, past, sizeof(past)), 0);
	expect_status(
	    act_full(f, &f->centre, WF(OPEN_LATE), "KK", year, "53.72", "cukup", NULL, NULL, past),
	    OK);
	expect_conflict(value(f, &f->op72, "", "KK_LP", pe, "", "4", NULL), C(EXPIRED_PERIOD),
	                NULL);
}

/* issue 10 item 16: approve runs the data set's rules: an error refuses in words, a warning
 * needs an acknowledgement, and the reports list approved data that breaks a rule. */
static void validation_at_approval(void **state)
{
	struct fx *f = *state;

	expect_status(value(f, &f->op71, "", "KK_KORBAN", "202502", "PD", "2", NULL), OK);
	expect_status(value(f, &f->op71, "", "KK_KORBAN", "202502", "AP", "1", NULL), OK);
	expect_status(value(f, &f->op71, "", "KK_KORBAN_TOTAL", "202502", "", "5", NULL), OK);
	expect_conflict(
	    approve(f, &f->ap71, "KK", "53.71", NULL), C(VALIDATION_ERROR),
	    "rule KK_R_TOTAL fails for 202502: Korban TPPO teridentifikasi (3) ≠ Jumlah "
	    "korban TPPO teridentifikasi (5)");
	expect_status(value(f, &f->op71, "", "KK_KORBAN_TOTAL", "202502", "", "3", NULL), OK);
	expect_status(approve(f, &f->ap71, "KK", "53.71", NULL), OK);
	/* Served more victims than identified: a warning to acknowledge. */
	expect_status(value(f, &f->op71, "", "LY_KORBAN", "202502", "PD", "4", NULL), OK);
	expect_conflict(approve(f, &f->ap71, "LY", "53.71", NULL), C(VALIDATION_WARNING),
	                "acknowledge LY_R_KORBAN to go ahead");
	expect_status(approve(f, &f->ap71, "LY", "53.71", "LY_R_KORBAN"), OK);
	gt_envelope *r = report(f, "LY", "53");
	const Gtsync__V1__ReportReply *rep = r->report_reply;
	assert_int_equal(rep->n_violations, 1);
	assert_string_equal(rep->violations[0]->rule, "LY_R_KORBAN");
	assert_string_equal(rep->violations[0]->org_unit, "53.71");
	assert_string_equal(rep->violations[0]->period, "202502");
	assert_true(rep->violations[0]->warning);
	assert_non_null(strstr(rep->violations[0]->text, "(4) > Jumlah korban TPPO"));
	gt_wire_envelope_free(r);
}

/* Declares nil reports and approves the reports of (ds, 2025) of units without figures. */
static void nil_and_approve(struct fx *f, struct actor *a, const char *org)
{
	expect_status(act(f, a, WF(NIL_REPORT), "KK", org, NULL, NULL), OK);
	expect_status(approve(f, a, "KK", org, NULL), OK);
}

/* issue 10 items 17 and 18: a nil report counts as reported; the secretariat approves the
 * national report once every province is accepted, and the chair's report shows it; a
 * province without figures of its own whose districts are accepted is not "not reported". */
static void nil_reports_and_the_top_of_the_chain(void **state)
{
	struct fx *f = *state;
	gt_envelope *r;

	/* 53.71 reports; 53.72 has nothing and says so; the province has no figures of its own. */
	expect_status(value(f, &f->op71, "", "KK_LP", "202503", "", "2", NULL), OK);
	expect_conflict(approve(f, &f->ap72, "KK", "53.72", NULL), C(EMPTY_REPORT),
	                "declares a nil report first");
	nil_and_approve(f, &f->ap72, "53.72");
	expect_status(approve(f, &f->ap71, "KK", "53.71", NULL), OK);
	r = report(f, "KK", "53");
	assert_true(listed(r->report_reply->completeness->nil_reports,
	                   r->report_reply->completeness->n_nil_reports, "53.72"));
	assert_false(listed(r->report_reply->completeness->missing,
	                    r->report_reply->completeness->n_missing, "53.72"));
	gt_wire_envelope_free(r);
	expect_status(act(f, &f->ag53, WF(ACCEPT), "KK", "53.71", NULL, NULL), OK);
	expect_status(act(f, &f->ag53, WF(ACCEPT), "KK", "53.72", NULL, NULL), OK);
	expect_status(approve(f, &f->ap53, "KK", "53", NULL), OK);
	/* Banten: nothing to report anywhere. */
	nil_and_approve(f, &f->ap3601, "36.01");
	nil_and_approve(f, &f->ap3671, "36.71");
	expect_status(act(f, &f->ag36, WF(ACCEPT), "KK", "36.01", NULL, NULL), OK);
	expect_status(act(f, &f->ag36, WF(ACCEPT), "KK", "36.71", NULL, NULL), OK);
	nil_and_approve(f, &f->ap36, "36");
	/* The centre cannot approve before it accepts every province. */
	expect_status(act(f, &f->centre, WF(ACCEPT), "KK", "53", NULL, NULL), OK);
	expect_conflict(approve(f, &f->centre, "KK", "ID", NULL), C(CHILDREN_NOT_READY),
	                "36's report KK 2025 is approved, not yet accepted");
	expect_status(act(f, &f->centre, WF(ACCEPT), "KK", "36", NULL, NULL), OK);
	expect_status(approve(f, &f->centre, "KK", "ID", NULL), OK);
	r = report(f, "KK", "ID");
	const Gtsync__V1__ReportReply *rep = r->report_reply;
	assert_int_equal(rep->state, GTSYNC__V1__APPROVAL_STATE__APPROVAL_APPROVED);
	/* Every expected unit counts as reported: 53 approved its subtree without figures of
	 * its own, Banten's units declared nil reports. */
	assert_int_equal(rep->completeness->n_missing, 0);
	assert_int_equal(rep->completeness->reported, rep->completeness->expected);
	for (size_t i = 0; i < rep->n_children; i++)
		assert_int_equal(rep->children[i]->state,
		                 GTSYNC__V1__APPROVAL_STATE__APPROVAL_ACCEPTED);
	gt_wire_envelope_free(r);
	/* Everything below is locked; the message names the nearest report that locks it. */
	expect_conflict(
	    value(f, &f->op71, "", "KK_LP", "202503", "", "9", NULL), C(LOCKED_PERIOD),
	    "locked by the accepted report KK 2025 of 53.71; the parent must return it");
}

int main(void)
{
	/* The sessions here read the server's own words: English (issue 12, servermsg.h). */
	gt_i18n_use(GT_LANG_EN);
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
	    cmocka_unit_test_setup_teardown(expiry_and_late_entry, setup, teardown),
	    cmocka_unit_test_setup_teardown(validation_at_approval, setup, teardown),
	    cmocka_unit_test_setup_teardown(nil_reports_and_the_top_of_the_chain, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
