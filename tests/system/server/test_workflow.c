/* Integration tests of the reporting chain on the real server: submit, approve (signing the
 * data), accept, return, unapprove, the locks, and the reports' approval view. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <signal.h>

#include "crypto.h"
#include "digest.h"
#include "error.h"
#include "metadata.h"
#include "session.h"
#include "store.h"
#include "testserver.h"
#include "wire.h"

#define SUBMIT    GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_SUBMIT
#define APPROVE   GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_APPROVE
#define ACCEPT    GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_ACCEPT
#define RETURN    GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_RETURN
#define UNAPPROVE GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_UNAPPROVE

#define OK      GTSYNC__V1__PUSH_STATUS__PUSH_OK
#define WARNING GTSYNC__V1__PUSH_STATUS__PUSH_WARNING
#define REFUSED GTSYNC__V1__PUSH_STATUS__PUSH_REFUSED

struct actor {
	struct gt_key *key;
	char org[8];
	uint64_t seq;
};

struct fx {
	struct gt_testserver ts;
	struct gt_meta *meta;
	struct actor op71, op72, op3601, appr71, appr72, appr53, aggr53, aggr36, appr36, centre;
};

static void make_actor(struct fx *f, struct actor *a, const char *org, const char *role)
{
	a->key = gt_testserver_key(&f->ts, org, role);
	snprintf(a->org, sizeof(a->org), "%s", org);
	a->seq = 0;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct gt_meta_errors errs;

	signal(SIGPIPE, SIG_IGN);
	gt_testserver_setup(&f->ts);
	make_actor(f, &f->op71, "53.71", "operator");
	make_actor(f, &f->op72, "53.72", "operator");
	make_actor(f, &f->op3601, "36.01", "operator");
	make_actor(f, &f->appr71, "53.71", "approver");
	make_actor(f, &f->appr72, "53.72", "approver");
	make_actor(f, &f->appr53, "53", "approver");
	make_actor(f, &f->aggr53, "53", "aggregator");
	make_actor(f, &f->aggr36, "36", "aggregator");
	make_actor(f, &f->appr36, "36", "approver");
	make_actor(f, &f->centre, "ID", "secretariat");
	gt_meta_errors_init(&errs);
	assert_int_equal(gt_meta_load_dir(GT_SOURCE_DIR "/metadata", &f->meta, &errs), 0);
	gt_testserver_start(&f->ts, NULL);
	/* The tests enter 2024: past KK's expiry, so the secretariat opens it for late entry. */
	gt_testserver_open_late(&f->ts, "53.71 53.72 36.01 53 36", "2024");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	struct actor *all[] = {&f->op71,   &f->op72,   &f->op3601, &f->appr71, &f->appr72,
	                       &f->appr53, &f->aggr53, &f->aggr36, &f->appr36, &f->centre};
	gt_testserver_teardown(&f->ts);
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		gt_key_free(all[i]->key);
	gt_meta_free(f->meta);
	free(f);
	return 0;
}

static struct gt_session *open_as(struct fx *f, const struct actor *a)
{
	struct gt_session *s = gt_testserver_session(&f->ts, a->key, NULL);
	assert_non_null(s);
	return s;
}

/* Signs and pushes a batch of a's; returns the ack envelope (caller frees). */
static gt_envelope *push_batch(struct fx *f, struct actor *a, gt_batch *b)
{
	struct gt_session *s = open_as(f, a);
	struct gt_test_signed sb;

	gt_test_sign_batch(a->key, a->org, ++a->seq, b, &sb);
	gt_envelope *reply = gt_test_push(s, &sb);
	free(sb.bytes);
	gt_session_close(s);
	return reply;
}

/* Pushes KK_LP = value for every month of 2024 at a's org, revision rev. */
static int push_year(struct fx *f, struct actor *a, int value, uint64_t rev)
{
	gt_batch b = GTSYNC__V1__BATCH__INIT;
	Gtsync__V1__DataValue v[12], *vp[12];
	char periods[12][8], vals[12][8];
	int status;

	for (int m = 0; m < 12; m++) {
		gtsync__v1__data_value__init(&v[m]);
		snprintf(periods[m], sizeof(periods[m]), "2024%02d", m + 1);
		snprintf(vals[m], sizeof(vals[m]), "%d", value);
		v[m].data_element = "KK_LP";
		v[m].org_unit = a->org;
		v[m].period = periods[m];
		v[m].value = vals[m];
		v[m].revision = rev;
		vp[m] = &v[m];
	}
	b.values = vp;
	b.n_values = 12;
	gt_envelope *ack = push_batch(f, a, &b);
	status = ack->push_ack->status;
	if (status == WARNING)
		assert_int_equal(ack->push_ack->conflicts[0]->reason,
		                 GTSYNC__V1__CONFLICT_REASON__CONFLICT_LOCKED_PERIOD);
	gt_wire_envelope_free(ack);
	return status;
}

/* The approval digest of (KK, 2024, org) as an approver computes it: pull the subtree's
 * values from the server and list them in canonical order. */
struct pv {
	char *e, *p, *o, *c, *v;
};

static int cmp_pv(const void *x, const void *y)
{
	const struct pv *a = x, *b = y;
	return gt_digest_key_cmp(a->e, a->p, a->o, a->c, b->e, b->p, b->o, b->c);
}

static void digest_as(struct fx *f, struct actor *a, const char *org, uint8_t out[32])
{
	struct gt_session *s = open_as(f, a);
	const struct gt_meta_dataset *ds = gt_meta_dataset_find(f->meta, "KK");
	struct pv *vals = NULL;
	size_t n = 0;
	uint64_t cursor = 0;
	gt_envelope *chunks[64];
	int nchunks = 0, more = 1;
	struct gt_digest *d;

	while (more && nchunks < 64) {
		gt_envelope env = GTSYNC__V1__ENVELOPE__INIT, *reply = NULL;
		Gtsync__V1__PullRequest pr = GTSYNC__V1__PULL_REQUEST__INIT;
		struct gt_session_err err;
		pr.org_unit = (char *)org;
		pr.cursor = cursor;
		env.body_case = GTSYNC__V1__ENVELOPE__BODY_PULL;
		env.pull = &pr;
		assert_int_equal(gt_session_call(s, &env, &reply, &err), 0);
		assert_int_equal(reply->body_case, GTSYNC__V1__ENVELOPE__BODY_PULL_CHUNK);
		const Gtsync__V1__PullChunk *c = reply->pull_chunk;
		vals = realloc(vals, (n + c->n_values + 1) * sizeof(*vals));
		for (size_t i = 0; i < c->n_values; i++) {
			const Gtsync__V1__DataValue *v = c->values[i]->value;
			const struct gt_meta_element *e =
			    gt_meta_element_find(f->meta, v->data_element);
			if (v->deleted || e == NULL || !gt_meta_dataset_has_element(ds, e) ||
			    strncmp(v->period, "2024", 4) != 0)
				continue;
			vals[n++] = (struct pv){v->data_element, v->period, v->org_unit,
			                        v->category_option_combo, v->value};
		}
		cursor = c->next_cursor;
		more = c->more;
		chunks[nchunks++] = reply;
	}
	qsort(vals, n, sizeof(*vals), cmp_pv);
	assert_int_equal(gt_digest_begin("KK", "2024", org, &d), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(
		    gt_digest_add(d, vals[i].e, vals[i].p, vals[i].o, vals[i].c, vals[i].v), 0);
	assert_int_equal(gt_digest_end(d, out, NULL), 0);
	gt_digest_free(d);
	for (int i = 0; i < nchunks; i++)
		gt_wire_envelope_free(chunks[i]);
	free(vals);
	gt_session_close(s);
}

/* Takes one workflow action on (KK, 2024, org) as a; returns the ack (caller frees). */
static gt_envelope *act(struct fx *f, struct actor *a, int kind, const char *org,
                        const char *reason, const uint8_t *digest)
{
	gt_batch b = GTSYNC__V1__BATCH__INIT;
	Gtsync__V1__WorkflowAction wa = GTSYNC__V1__WORKFLOW_ACTION__INIT, *wap = &wa;

	wa.kind = kind;
	wa.dataset = "KK";
	wa.period = "2024";
	wa.org_unit = (char *)org;
	wa.reason = (char *)(reason ? reason : "");
	if (digest != NULL) {
		wa.data_digest.data = (uint8_t *)digest;
		wa.data_digest.len = 32;
	}
	b.actions = &wap;
	b.n_actions = 1;
	return push_batch(f, a, &b);
}

/* Expects the action to apply (OK) or to be skipped for reason (WARNING with one conflict). */
static void expect_act(struct fx *f, struct actor *a, int kind, const char *org, const char *reason,
                       const uint8_t *digest, int conflict)
{
	gt_envelope *ack = act(f, a, kind, org, reason, digest);
	if (conflict == 0) {
		if (ack->push_ack->status != OK)
			fprintf(stderr, "action %d on %s by %s: status %d reason %d\n", kind, org,
			        a->org, ack->push_ack->status,
			        ack->push_ack->n_conflicts ? ack->push_ack->conflicts[0]->reason
			                                   : 0);
		assert_int_equal(ack->push_ack->status, OK);
	} else {
		assert_int_equal(ack->push_ack->status, WARNING);
		assert_int_equal(ack->push_ack->n_conflicts, 1);
		assert_int_equal(ack->push_ack->conflicts[0]->reason, conflict);
		assert_non_null(ack->push_ack->conflicts[0]->message);
	}
	gt_wire_envelope_free(ack);
}

static void expect_refused(struct fx *f, struct actor *a, int kind, const char *org,
                           const char *why)
{
	gt_envelope *ack = act(f, a, kind, org, "x", NULL);
	assert_int_equal(ack->push_ack->status, REFUSED);
	assert_int_equal(ack->push_ack->refuse_code, GT_EPERM);
	assert_non_null(strstr(ack->push_ack->message, why));
	gt_wire_envelope_free(ack);
}

static gt_envelope *report(struct fx *f, struct actor *a, const char *org)
{
	struct gt_session *s = open_as(f, a);
	gt_envelope env = GTSYNC__V1__ENVELOPE__INIT, *reply = NULL;
	Gtsync__V1__ReportRequest rq = GTSYNC__V1__REPORT_REQUEST__INIT;
	struct gt_session_err err;

	rq.org_unit = (char *)org;
	rq.dataset = "KK";
	rq.period = "2024";
	rq.per_child = 1;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_REPORT_REQUEST;
	env.report_request = &rq;
	assert_int_equal(gt_session_call(s, &env, &reply, &err), 0);
	assert_int_equal(reply->body_case, GTSYNC__V1__ENVELOPE__BODY_REPORT_REPLY);
	gt_session_close(s);
	return reply;
}

#define C_INVALID  GTSYNC__V1__CONFLICT_REASON__CONFLICT_INVALID_TRANSITION
#define C_DIGEST   GTSYNC__V1__CONFLICT_REASON__CONFLICT_DIGEST_MISMATCH
#define C_CHILDREN GTSYNC__V1__CONFLICT_REASON__CONFLICT_CHILDREN_NOT_READY

static void chain_end_to_end(void **state)
{
	struct fx *f = *state;
	uint8_t d71[32], d72[32], d53[32], stale[32];

	assert_int_equal(push_year(f, &f->op71, 5, 1), OK);
	assert_int_equal(push_year(f, &f->op72, 7, 1), OK);

	/* Authority: the wrong keys are refused whole, with the reason. */
	expect_refused(f, &f->op71, APPROVE, "53.71", "approver");
	expect_refused(f, &f->appr71, APPROVE, "53", "own org unit");
	expect_refused(f, &f->aggr36, ACCEPT, "53.71", "aggregator");
	expect_refused(f, &f->appr53, ACCEPT, "53.71", "aggregator");
	expect_refused(f, &f->aggr53, ACCEPT, "53", "secretariat");

	/* Illegal transitions are skipped and reported. */
	expect_act(f, &f->aggr53, ACCEPT, "53.71", NULL, NULL, C_INVALID);
	expect_act(f, &f->appr71, UNAPPROVE, "53.71", NULL, NULL, C_INVALID);
	expect_act(f, &f->aggr53, RETURN, "53.71", "kurang lengkap", NULL, C_INVALID);

	/* A digest over stale data is rejected. */
	digest_as(f, &f->appr71, "53.71", stale);
	assert_int_equal(push_year(f, &f->op71, 6, 2), OK);
	expect_act(f, &f->appr71, APPROVE, "53.71", NULL, stale, C_DIGEST);
	expect_act(f, &f->appr71, APPROVE, "53.71", NULL, NULL, C_DIGEST);

	/* District approvers submit and approve what they see. */
	expect_act(f, &f->appr71, SUBMIT, "53.71", NULL, NULL, 0);
	expect_act(f, &f->appr71, SUBMIT, "53.71", NULL, NULL, C_INVALID);
	digest_as(f, &f->appr71, "53.71", d71);
	expect_act(f, &f->appr71, APPROVE, "53.71", NULL, d71, 0);
	digest_as(f, &f->appr72, "53.72", d72);
	expect_act(f, &f->appr72, APPROVE, "53.72", NULL, d72, 0);

	/* Approval locks the data: an edit is skipped as locked... */
	assert_int_equal(push_year(f, &f->op71, 9, 3), WARNING);
	/* ...until the province returns the report; then the edit applies. */
	expect_act(f, &f->aggr53, RETURN, "53.71", NULL, NULL, C_INVALID); /* no reason */
	expect_act(f, &f->aggr53, RETURN, "53.71", "angka Juli perlu diperiksa", NULL, 0);
	assert_int_equal(push_year(f, &f->op71, 9, 4), OK);
	digest_as(f, &f->appr71, "53.71", d71);
	expect_act(f, &f->appr71, APPROVE, "53.71", NULL, d71, 0);

	/* The province cannot approve before its districts are accepted. */
	digest_as(f, &f->appr53, "53", d53);
	expect_act(f, &f->appr53, APPROVE, "53", NULL, d53, C_CHILDREN);
	expect_act(f, &f->aggr53, ACCEPT, "53.71", NULL, NULL, 0);
	expect_act(f, &f->appr53, APPROVE, "53", NULL, d53, C_CHILDREN);
	expect_act(f, &f->aggr53, ACCEPT, "53.72", NULL, NULL, 0);
	/* Once accepted, a district can no longer be unapproved by its own approver. */
	expect_act(f, &f->appr72, UNAPPROVE, "53.72", NULL, NULL, C_INVALID);
	expect_act(f, &f->appr53, APPROVE, "53", NULL, d53, 0);
	/* The province's approval locks its districts' data too. */
	assert_int_equal(push_year(f, &f->op72, 8, 2), WARNING);
	/* A return under an approved parent is refused until the parent unapproves. */
	expect_act(f, &f->aggr53, RETURN, "53.72", "cek", NULL, C_INVALID);
	/* The centre accepts the province. */
	expect_act(f, &f->centre, ACCEPT, "53", NULL, NULL, 0);

	/* The national report shows the chain's state. */
	gt_envelope *r = report(f, &f->centre, "ID");
	const Gtsync__V1__ReportReply *rep = r->report_reply;
	int found = 0;
	for (size_t i = 0; i < rep->n_children; i++) {
		if (strcmp(rep->children[i]->org_unit, "53") == 0) {
			assert_int_equal(rep->children[i]->state,
			                 GTSYNC__V1__APPROVAL_STATE__APPROVAL_ACCEPTED);
			found = 1;
		}
		if (strcmp(rep->children[i]->org_unit, "36") == 0)
			assert_int_equal(rep->children[i]->state,
			                 GTSYNC__V1__APPROVAL_STATE__APPROVAL_OPEN);
	}
	assert_true(found);
	gt_wire_envelope_free(r);
	r = report(f, &f->aggr53, "53");
	assert_int_equal(r->report_reply->state, GTSYNC__V1__APPROVAL_STATE__APPROVAL_ACCEPTED);
	/* The province's history: the late-entry opening, approve (with the digest it
	 * signed), accept. */
	assert_int_equal(r->report_reply->n_history, 3);
	assert_int_equal(r->report_reply->history[0]->kind,
	                 GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_OPEN_LATE);
	assert_int_equal(r->report_reply->history[1]->kind, APPROVE);
	assert_memory_equal(r->report_reply->history[1]->data_digest.data, d53, 32);
	assert_int_equal(r->report_reply->history[2]->kind, ACCEPT);
	gt_wire_envelope_free(r);
}

static void missing_district_blocks_province(void **state)
{
	struct fx *f = *state;
	uint8_t d[32];

	/* 36.01 reports, 36.71 never does. */
	assert_int_equal(push_year(f, &f->op3601, 4, 1), OK);
	gt_envelope *r = report(f, &f->aggr36, "36");
	const Gtsync__V1__Completeness *c = r->report_reply->completeness;
	int missing = 0;
	for (size_t i = 0; i < c->n_missing; i++)
		missing += strcmp(c->missing[i], "36.71") == 0;
	assert_int_equal(missing, 1);
	assert_true(c->reported < c->expected);
	gt_wire_envelope_free(r);
	digest_as(f, &f->appr36, "36", d);
	expect_act(f, &f->appr36, APPROVE, "36", NULL, d, C_CHILDREN);
}

/* Report totals equal a direct sum over the store, per child and in all. */
struct sum_arg {
	double total, c71, c72;
};

static int add_value(void *arg, const struct gt_store_value *v)
{
	struct sum_arg *s = arg;
	double x = atof(v->value);
	s->total += x;
	if (strcmp(v->org_unit, "53.71") == 0)
		s->c71 += x;
	if (strcmp(v->org_unit, "53.72") == 0)
		s->c72 += x;
	return 0;
}

static void totals_equal_direct_sums(void **state)
{
	struct fx *f = *state;
	struct gt_store *st;
	struct sum_arg direct = {0};
	char db[GT_PATH_MAX];
	char *periods[12];
	char buf[12][8];
	const char *elements[] = {"KK_LP"};

	for (int m = 0; m < 12; m++) {
		snprintf(buf[m], sizeof(buf[m]), "2024%02d", m + 1);
		periods[m] = buf[m];
	}
	snprintf(db, sizeof(db), "%s/gtsync.db", f->ts.data);
	assert_int_equal(gt_store_open_readonly(db, &st), 0);
	struct gt_store_report_query q = {.org_root = "53",
	                                  .elements = elements,
	                                  .n_elements = 1,
	                                  .periods = (const char *const *)periods,
	                                  .n_periods = 12};
	assert_int_equal(gt_store_values_foreach(st, &q, add_value, &direct), 0);
	gt_store_close(st);

	gt_envelope *r = report(f, &f->aggr53, "53");
	const Gtsync__V1__ReportReply *rep = r->report_reply;
	double total = 0, c71 = 0, c72 = 0;
	for (size_t i = 0; i < rep->n_totals; i++)
		if (strcmp(rep->totals[i]->data_element, "KK_LP") == 0)
			total += rep->totals[i]->value;
	for (size_t i = 0; i < rep->n_children; i++)
		for (size_t k = 0; k < rep->children[i]->n_values; k++)
			if (strcmp(rep->children[i]->values[k]->data_element, "KK_LP") == 0) {
				if (strcmp(rep->children[i]->org_unit, "53.71") == 0)
					c71 += rep->children[i]->values[k]->value;
				else if (strcmp(rep->children[i]->org_unit, "53.72") == 0)
					c72 += rep->children[i]->values[k]->value;
			}
	gt_wire_envelope_free(r);
	/* 53.71 ended at 9 a month after its return, 53.72 at 7 (its edit was locked). */
	assert_true(direct.c71 == 108.0);
	assert_true(direct.c72 == 84.0);
	assert_true(total == direct.total);
	assert_true(c71 == direct.c71);
	assert_true(c72 == direct.c72);
}

static void rebuild_keeps_the_chain(void **state)
{
	struct fx *f = *state;
	assert_int_equal(gt_testserver_stop(&f->ts), 0);
	const char *args[] = {"rebuild", NULL};
	assert_int_equal(gt_testserver_admin(&f->ts, args), 0);
	gt_testserver_start(&f->ts, NULL);
	gt_envelope *r = report(f, &f->aggr53, "53");
	assert_int_equal(r->report_reply->state, GTSYNC__V1__APPROVAL_STATE__APPROVAL_ACCEPTED);
	gt_wire_envelope_free(r);
	/* The data stays locked after the rebuild. */
	assert_int_equal(push_year(f, &f->op72, 1, 10), WARNING);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(chain_end_to_end),
	    cmocka_unit_test(missing_district_blocks_province),
	    cmocka_unit_test(totals_equal_direct_sums),
	    cmocka_unit_test(rebuild_keeps_the_chain),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
