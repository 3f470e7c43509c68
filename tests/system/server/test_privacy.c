/* Integration tests of what a reader key is served (issue 14): consolidated reports only, no
 * pull of per-unit values, comments or batches, no free text, no small cells. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <signal.h>

#include "clirun.h"
#include "error.h"
#include "key.h"
#include "session.h"
#include "testserver.h"
#include "testutil.h"
#include "wire.h"

struct fx {
	struct gt_testserver ts;
	struct gt_key *reader;     /* the province 53's reader */
	struct gt_key *aggregator; /* the province 53's aggregator */
	char year[16], month[16];  /* a year and a month of it that have started */
};

static struct fx *fx;

/* One value to push. */
struct val {
	const char *de, *coc, *value, *comment;
};

/* Pushes vals for org in period with org's own operator key; every value must apply. */
static void push(const char *org, const char *period, const struct val *vals, size_t n)
{
	struct gt_key *k = gt_testserver_key(&fx->ts, org, "operator");
	struct gt_session *s = gt_testserver_session(&fx->ts, k, NULL);
	gt_batch b = GTSYNC__V1__BATCH__INIT;
	Gtsync__V1__DataValue v[32], *vp[32];
	struct gt_test_signed sb;

	assert_non_null(s);
	assert_true(n <= 32);
	for (size_t i = 0; i < n; i++) {
		gtsync__v1__data_value__init(&v[i]);
		v[i].data_element = (char *)vals[i].de;
		v[i].period = (char *)period;
		v[i].org_unit = (char *)org;
		v[i].category_option_combo = (char *)vals[i].coc;
		v[i].value = (char *)vals[i].value;
		v[i].comment = (char *)(vals[i].comment ? vals[i].comment : "");
		v[i].revision = 1;
		vp[i] = &v[i];
	}
	b.values = vp;
	b.n_values = n;
	gt_test_sign_batch(k, org, 1, &b, &sb);
	gt_envelope *ack = gt_test_push(s, &sb);
	if (ack->push_ack->status != GTSYNC__V1__PUSH_STATUS__PUSH_OK)
		fail_msg("push %s: %s", org,
		         ack->push_ack->n_conflicts ? ack->push_ack->conflicts[0]->message
		                                    : ack->push_ack->message);
	gt_wire_envelope_free(ack);
	free(sb.bytes);
	gt_session_close(s);
	gt_key_free(k);
}

static int setup(void **state)
{
	time_t now = time(NULL);
	struct tm tm;

	signal(SIGPIPE, SIG_IGN);
	fx = calloc(1, sizeof(*fx));
	gmtime_r(&now, &tm);
	/* The previous month (January's previous is December of last year) and its year. */
	if (tm.tm_mon == 0) {
		tm.tm_year--;
		tm.tm_mon = 12;
	}
	snprintf(fx->year, sizeof(fx->year), "%04d", tm.tm_year + 1900);
	snprintf(fx->month, sizeof(fx->month), "%04d%02d", tm.tm_year + 1900, tm.tm_mon);
	gt_testserver_setup(&fx->ts);
	fx->reader = gt_testserver_key(&fx->ts, "53", "reader");
	fx->aggregator = gt_testserver_key(&fx->ts, "53", "aggregator");
	gt_testserver_start(&fx->ts, NULL);
	{
		const struct val a[] = {
		    {"KK_LP", "", "3", "dua laporan dari Polres"},
		    {"KK_KORBAN", "PD", "12", NULL},
		    {"KK_KORBAN", "AP", "2", NULL},
		    {"KK_KORBAN_TOTAL", "", "14", NULL},
		};
		const struct val b[] = {
		    {"KK_LP", "", "4", NULL},
		    {"KK_KORBAN", "PD", "9", NULL},
		    {"KK_KORBAN", "AP", "7", NULL},
		    {"KK_KORBAN_TOTAL", "", "16", NULL},
		};
		push("53.71", fx->month, a, 4);
		push("53.72", fx->month, b, 4);
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	gt_testserver_teardown(&fx->ts);
	gt_key_free(fx->reader);
	gt_key_free(fx->aggregator);
	free(fx);
	return 0;
}

/* Asks k for a report of 53 (per child), with a cursor (since, may be NULL) and for the public
 * view when public_view is set, and returns the reply envelope. */
static gt_envelope *report_ex(const struct gt_key *k, const char *period,
                              const ProtobufCBinaryData *since, int public_view)
{
	struct gt_session *s = gt_testserver_session(&fx->ts, k, NULL);
	gt_envelope env = GTSYNC__V1__ENVELOPE__INIT, *reply = NULL;
	Gtsync__V1__ReportRequest rq = GTSYNC__V1__REPORT_REQUEST__INIT;
	struct gt_session_err err;

	assert_non_null(s);
	rq.org_unit = "53";
	rq.dataset = "KK";
	rq.period = (char *)period;
	rq.per_child = 1;
	if (since != NULL)
		rq.since = *since;
	rq.public_view = public_view != 0;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_REPORT_REQUEST;
	env.report_request = &rq;
	assert_int_equal(gt_session_call(s, &env, &reply, &err), 0);
	gt_session_close(s);
	return reply;
}

/* Asks k for a report of 53 (per child) and returns the reply envelope. */
static gt_envelope *report(const struct gt_key *k, const char *period)
{
	return report_ex(k, period, NULL, 0);
}

/* The child report of org in rep, or NULL. */
static const Gtsync__V1__ChildReport *child(const Gtsync__V1__ReportReply *rep, const char *org)
{
	for (size_t i = 0; i < rep->n_children; i++)
		if (strcmp(rep->children[i]->org_unit, org) == 0)
			return rep->children[i];
	return NULL;
}

/* The value of (element, option) among vals, or NULL. */
static const Gtsync__V1__ReportValue *cell(Gtsync__V1__ReportValue *const *vals, size_t n,
                                           const char *de, const char *coc)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(vals[i]->data_element, de) == 0 &&
		    strcmp(vals[i]->category_option_combo, coc) == 0)
			return vals[i];
	return NULL;
}

/* issue 14: a reader key's pull is refused with a sentence that says why; the aggregator of
 * the same province pulls. */
static void reader_may_not_pull(void **state)
{
	gt_envelope env = GTSYNC__V1__ENVELOPE__INIT, *reply = NULL;
	Gtsync__V1__PullRequest rq = GTSYNC__V1__PULL_REQUEST__INIT;
	struct gt_session_err err;
	(void)state;

	rq.org_unit = "53";
	rq.include_batches = 1;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_PULL;
	env.pull = &rq;
	struct gt_session *s = gt_testserver_session(&fx->ts, fx->reader, NULL);
	assert_non_null(s);
	assert_int_equal(gt_session_call(s, &env, &reply, &err), 0);
	assert_int_equal(reply->body_case, GTSYNC__V1__ENVELOPE__BODY_ERROR);
	assert_int_equal(reply->error->code, GT_EPERM);
	assert_non_null(
	    strstr(reply->error->message, "a reader key gets consolidated reports only"));
	gt_wire_envelope_free(reply);
	gt_session_close(s);

	s = gt_testserver_session(&fx->ts, fx->aggregator, NULL);
	assert_non_null(s);
	assert_int_equal(gt_session_call(s, &env, &reply, &err), 0);
	assert_int_equal(reply->body_case, GTSYNC__V1__ENVELOPE__BODY_PULL_CHUNK);
	assert_true(reply->pull_chunk->n_values >= 8);
	gt_wire_envelope_free(reply);
	gt_session_close(s);

	/* The client says so in words, and queues or stores nothing. */
	char home[GT_PATH_MAX];
	struct gt_clirun r;
	const char *pull[] = {"pull", NULL};
	gt_clirun_client(&fx->ts, "rd53", "53", "reader", home, sizeof(home));
	const char *en[] = {"LANGUAGE=", "LC_ALL=", "LC_MESSAGES=", "LANG=en_US.UTF-8", NULL};
	gt_clirun(&r, home, en, 60, pull);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "reader"));
	assert_non_null(strstr(r.err, "consolidated reports only"));
	gt_clirun_free(&r);
}

/* issue 14: a reader's report holds no comment (the aggregator's does). */
static void reader_report_has_no_free_text(void **state)
{
	(void)state;
	gt_envelope *agg = report(fx->aggregator, fx->month), *rd = report(fx->reader, fx->month);
	const Gtsync__V1__ChildReport *ca, *cr;

	assert_int_equal(agg->body_case, GTSYNC__V1__ENVELOPE__BODY_REPORT_REPLY);
	assert_int_equal(rd->body_case, GTSYNC__V1__ENVELOPE__BODY_REPORT_REPLY);
	ca = child(agg->report_reply, "53.71");
	cr = child(rd->report_reply, "53.71");
	assert_non_null(ca);
	assert_non_null(cr);
	assert_string_equal(cell(ca->values, ca->n_values, "KK_LP", "")->comment,
	                    "dua laporan dari Polres");
	assert_string_equal(cell(cr->values, cr->n_values, "KK_LP", "")->comment, "");
	/* Counts without a disclosure threshold are the same for both. */
	assert_true(cell(cr->values, cr->n_values, "KK_LP", "")->value == 3.0);
	assert_int_equal(rd->report_reply->n_history, 0);
	assert_int_equal(rd->report_reply->n_violations, 0);
	gt_wire_envelope_free(agg);
	gt_wire_envelope_free(rd);
}

/* Whether the cell (de, coc) in vals is withheld: marked, with nothing of its value left. */
static int withheld(Gtsync__V1__ReportValue *const *vals, size_t n, const char *de, const char *coc)
{
	const Gtsync__V1__ReportValue *v = cell(vals, n, de, coc);

	if (v == NULL)
		fail_msg("%s %s is missing: a reader must see it withheld, not absent", de, coc);
	return v->suppressed && v->value == 0.0 && v->count == 0;
}

/* issue 14: a reader's yearly report withholds the district with 2 girls and a partner
 * district (the province's figures would give her away otherwise), keeps the province's
 * figures and the counts without a threshold; a month shows no count of victims at all; the
 * aggregator sees every figure. */
static void reader_sees_no_small_cell(void **state)
{
	(void)state;
	gt_envelope *rd = report(fx->reader, fx->year), *agg = report(fx->aggregator, fx->year);
	const Gtsync__V1__ReportReply *r = rd->report_reply;
	const Gtsync__V1__ChildReport *a = child(r, "53.71"), *b = child(r, "53.72");

	assert_non_null(a);
	assert_non_null(b);
	assert_true(cell(r->totals, r->n_totals, "KK_KORBAN", "PD")->value == 21.0);
	assert_true(cell(r->totals, r->n_totals, "KK_KORBAN", "AP")->value == 9.0);
	assert_false(cell(r->totals, r->n_totals, "KK_KORBAN", "AP")->suppressed);
	assert_true(withheld(a->values, a->n_values, "KK_KORBAN", "AP"));
	assert_true(withheld(a->values, a->n_values, "KK_KORBAN", "PD"));
	assert_true(withheld(a->values, a->n_values, "KK_KORBAN", "LD"));
	assert_true(withheld(a->values, a->n_values, "KK_KORBAN_TOTAL", ""));
	assert_true(withheld(b->values, b->n_values, "KK_KORBAN", "AP"));
	assert_true(withheld(b->values, b->n_values, "KK_KORBAN_TOTAL", ""));
	assert_true(cell(a->values, a->n_values, "KK_LP", "")->value == 3.0);
	assert_false(cell(a->values, a->n_values, "KK_LP", "")->suppressed);
	const Gtsync__V1__ChildReport *ra = child(agg->report_reply, "53.71");
	assert_true(cell(ra->values, ra->n_values, "KK_KORBAN", "AP")->value == 2.0);
	assert_false(cell(ra->values, ra->n_values, "KK_KORBAN", "AP")->suppressed);
	gt_wire_envelope_free(rd);
	gt_wire_envelope_free(agg);

	rd = report(fx->reader, fx->month);
	r = rd->report_reply;
	assert_true(withheld(r->totals, r->n_totals, "KK_KORBAN", "PD"));
	assert_true(
	    withheld(child(r, "53.72")->values, child(r, "53.72")->n_values, "KK_KORBAN", "PD"));
	assert_true(cell(r->totals, r->n_totals, "KK_LP", "")->value == 7.0);
	gt_wire_envelope_free(rd);
}

/* issue 14: every report served is recorded with the key, what was read and when, and the
 * secretariat lists it with `gtsync-server audit reads`; a refused read is not one served. */
static void reads_are_recorded(void **state)
{
	char id[GT_KEY_ID_LEN + 1], cmd[4600], line[512], want[128];
	int found = 0;
	(void)state;

	assert_int_equal(gt_key_id(fx->reader, id), 0);
	gt_wire_envelope_free(report(fx->reader, fx->year));
	snprintf(want, sizeof(want), "report  53      KK");
	snprintf(cmd, sizeof(cmd), "%s/server/gtsync-server audit reads --data '%s' --key %s",
	         GT_BINARY_DIR, fx->ts.data, id);
	/* The writer records reads with its next group: give it a moment. */
	for (int tries = 0; tries < 50 && !found; tries++) {
		FILE *p = popen(cmd, "r");
		assert_non_null(p);
		while (fgets(line, sizeof(line), p) != NULL)
			if (strstr(line, id) != NULL && strstr(line, want) != NULL &&
			    strstr(line, fx->year) != NULL && strstr(line, "reader") != NULL)
				found = 1;
		assert_int_equal(pclose(p), 0);
		if (!found)
			usleep(100000);
	}
	assert_true(found);
	/* The aggregator's reads are its own; the reader's refused pull is not listed. */
	snprintf(cmd, sizeof(cmd), "%s/server/gtsync-server audit reads --data '%s' --key %s",
	         GT_BINARY_DIR, fx->ts.data, id);
	FILE *p = popen(cmd, "r");
	while (fgets(line, sizeof(line), p) != NULL)
		assert_null(strstr(line, " pull "));
	assert_int_equal(pclose(p), 0);
	snprintf(cmd, sizeof(cmd),
	         "%s/server/gtsync-server audit reads --data '%s' --since 2020-13-01",
	         GT_BINARY_DIR, fx->ts.data);
	p = popen(cmd, "r");
	assert_int_not_equal(pclose(p), 0);
}

/* issue 11 item "a refresh pulls only what changed": a report carries a cursor; asked again
 * with it while nothing changed, the reply is a small `unchanged` one; after a push the same
 * cursor brings the whole new report. The cursor of one view does not serve the other. */
static void report_cursor_unchanged(void **state)
{
	(void)state;
	gt_envelope *full = report(fx->aggregator, fx->year), *again, *after;
	ProtobufCBinaryData cur;
	size_t full_len, again_len;

	assert_int_equal(full->body_case, GTSYNC__V1__ENVELOPE__BODY_REPORT_REPLY);
	assert_false(full->report_reply->unchanged);
	cur = full->report_reply->cursor;
	assert_true(cur.len > 0);
	again = report_ex(fx->aggregator, fx->year, &cur, 0);
	assert_int_equal(again->body_case, GTSYNC__V1__ENVELOPE__BODY_REPORT_REPLY);
	assert_true(again->report_reply->unchanged);
	assert_int_equal(again->report_reply->n_totals, 0);
	assert_int_equal(again->report_reply->n_children, 0);
	assert_memory_equal(again->report_reply->cursor.data, cur.data, cur.len);
	full_len = gtsync__v1__envelope__get_packed_size(full);
	again_len = gtsync__v1__envelope__get_packed_size(again);
	print_message("report of 53 for %s: %zu bytes; unchanged reply: %zu bytes\n", fx->year,
	              full_len, again_len);
	assert_true(again_len * 4 < full_len);
	/* The public view is another view: the raw view's cursor does not stand for it. */
	gt_envelope *pub = report_ex(fx->aggregator, fx->year, &cur, 1);
	assert_false(pub->report_reply->unchanged);
	assert_true(pub->report_reply->n_totals > 0);
	gt_wire_envelope_free(pub);
	/* A push makes it change. */
	const struct val c[] = {{"KK_PELAKU", "PERORANGAN", "5", NULL}};
	push("53.71", fx->month, c, 1);
	after = report_ex(fx->aggregator, fx->year, &cur, 0);
	assert_false(after->report_reply->unchanged);
	assert_true(cell(child(after->report_reply, "53.71")->values,
	                 child(after->report_reply, "53.71")->n_values, "KK_PELAKU", "PERORANGAN")
	                ->value == 5.0);
	assert_true(after->report_reply->cursor.len == cur.len &&
	            memcmp(after->report_reply->cursor.data, cur.data, cur.len) != 0);
	/* A cursor of the wrong length is no cursor. */
	ProtobufCBinaryData bad = {3, (uint8_t *)"abc"};
	gt_envelope *b = report_ex(fx->aggregator, fx->year, &bad, 0);
	assert_false(b->report_reply->unchanged);
	gt_wire_envelope_free(b);
	gt_wire_envelope_free(full);
	gt_wire_envelope_free(again);
	gt_wire_envelope_free(after);
}

/* issue 14 item --public: a key of the chain asking for the public view gets exactly the
 * reader's view (the small cells withheld, no comment). */
static void public_view_is_the_readers(void **state)
{
	(void)state;
	gt_envelope *pub = report_ex(fx->aggregator, fx->year, NULL, 1);
	gt_envelope *rd = report(fx->reader, fx->year);
	const Gtsync__V1__ChildReport *a = child(pub->report_reply, "53.71");

	assert_non_null(a);
	assert_true(withheld(a->values, a->n_values, "KK_KORBAN", "AP"));
	assert_string_equal(cell(a->values, a->n_values, "KK_LP", "")->comment, "");
	assert_int_equal(pub->report_reply->n_history, 0);
	/* The same figures as the reader's, cell for cell. */
	Gtsync__V1__ReportReply *x = pub->report_reply, *y = rd->report_reply;
	assert_int_equal(x->n_totals, y->n_totals);
	for (size_t i = 0; i < x->n_totals; i++) {
		const Gtsync__V1__ReportValue *v =
		    cell(y->totals, y->n_totals, x->totals[i]->data_element,
		         x->totals[i]->category_option_combo);
		assert_non_null(v);
		assert_true(v->value == x->totals[i]->value);
		assert_int_equal(v->suppressed, x->totals[i]->suppressed);
	}
	gt_wire_envelope_free(pub);
	gt_wire_envelope_free(rd);
}

/* issue 11 item 4: each child carries when its first value for the period arrived. */
static void child_first_arrival(void **state)
{
	(void)state;
	int64_t now_ms = (int64_t)time(NULL) * 1000;
	gt_envelope *rep = report(fx->aggregator, fx->month);
	const Gtsync__V1__ChildReport *a = child(rep->report_reply, "53.71");
	const Gtsync__V1__ChildReport *z = child(rep->report_reply, "53.73");

	assert_non_null(a);
	assert_true(a->first_arrival_ms > now_ms - 3600 * 1000);
	assert_true(a->first_arrival_ms <= now_ms + 1000);
	/* A child without values has none. */
	if (z != NULL)
		assert_true(z->first_arrival_ms == 0);
	gt_wire_envelope_free(rep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(reader_may_not_pull),
	    cmocka_unit_test(reader_report_has_no_free_text),
	    cmocka_unit_test(reader_sees_no_small_cell),
	    cmocka_unit_test(reads_are_recorded),
	    cmocka_unit_test(public_view_is_the_readers),
	    cmocka_unit_test(child_first_arrival),
	    cmocka_unit_test(report_cursor_unchanged),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
