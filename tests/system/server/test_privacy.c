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
#include <glpk.h>
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
	/* A third district, which reports only in reader_export_public. */
	gt_testserver_import(&fx->ts, "code,name,level\n53.73,Kabupaten Timor Tengah Selatan,"
	                              "district\n");
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

/* Exports 53's subtree of KK for period (a whole range of one period) with k, asking for the
 * public view when public_view is set, in chunks of 4, and returns the values in *out (n). */
static Gtsync__V1__ExportedValue **export_all(const struct gt_key *k, const char *period,
                                              int public_view, size_t *n, gt_envelope ***keep,
                                              size_t *nkeep)
{
	struct gt_session *s = gt_testserver_session(&fx->ts, k, NULL);
	Gtsync__V1__ExportedValue **out = NULL;
	char *after[4] = {NULL, NULL, NULL, NULL};
	size_t n_after = 0;

	assert_non_null(s);
	*n = 0;
	*nkeep = 0;
	*keep = NULL;
	for (;;) {
		gt_envelope env = GTSYNC__V1__ENVELOPE__INIT, *reply = NULL;
		Gtsync__V1__ExportRequest rq = GTSYNC__V1__EXPORT_REQUEST__INIT;
		struct gt_session_err err;
		rq.org_unit = "53";
		rq.dataset = "KK";
		rq.start_period = (char *)period;
		rq.end_period = (char *)period;
		rq.scope = GTSYNC__V1__EXPORT_SCOPE__EXPORT_DESCENDANTS;
		rq.after = after;
		rq.n_after = n_after;
		rq.max_items = 4;
		rq.public_view = public_view != 0;
		env.body_case = GTSYNC__V1__ENVELOPE__BODY_EXPORT_REQUEST;
		env.export_request = &rq;
		assert_int_equal(gt_session_call(s, &env, &reply, &err), 0);
		if (reply->body_case != GTSYNC__V1__ENVELOPE__BODY_EXPORT_CHUNK)
			fail_msg("export: %s", reply->body_case == GTSYNC__V1__ENVELOPE__BODY_ERROR
			                           ? reply->error->message
			                           : "not a chunk");
		const Gtsync__V1__ExportChunk *c = reply->export_chunk;
		out = realloc(out, (*n + c->n_values + 1) * sizeof(*out));
		*keep = realloc(*keep, (*nkeep + 1) * sizeof(**keep));
		assert_non_null(out);
		assert_non_null(*keep);
		(*keep)[(*nkeep)++] = reply;
		for (size_t i = 0; i < c->n_values; i++)
			out[(*n)++] = c->values[i];
		if (!c->more)
			break;
		assert_int_equal(c->n_next_after, 4);
		for (size_t i = 0; i < 4; i++)
			after[i] = c->next_after[i];
		n_after = 4;
	}
	gt_session_close(s);
	return out;
}

static void free_export(Gtsync__V1__ExportedValue **v, gt_envelope **keep, size_t nkeep)
{
	for (size_t i = 0; i < nkeep; i++)
		gt_wire_envelope_free(keep[i]);
	free(keep);
	free(v);
}

/* Whether element de is a count of victims (KK's elements with a disclosure threshold). */
static int victims(const char *de)
{
	return strncmp(de, "KK_KORBAN", 9) == 0;
}

/* The exported value of (de, coc, org, period), or NULL. */
static const Gtsync__V1__DataValue *exported(Gtsync__V1__ExportedValue *const *v, size_t n,
                                             const char *de, const char *coc, const char *org,
                                             const char *period)
{
	for (size_t i = 0; i < n; i++) {
		const Gtsync__V1__DataValue *d = v[i]->value;
		if (strcmp(d->data_element, de) == 0 &&
		    strcmp(d->category_option_combo, coc) == 0 && strcmp(d->org_unit, org) == 0 &&
		    strcmp(d->period, period) == 0)
			return d;
	}
	return NULL;
}

#define AUD_UNITS 64
#define AUD_COLS  16

/* What the auditor knows: the units of 53's table (53's own part first, then its children),
 * the columns (victims' cells), the truth, and what was published of it. */
struct audit {
	size_t nu, nc;
	const char *unit[AUD_UNITS];
	const char *de[AUD_COLS], *coc[AUD_COLS];
	double truth[AUD_UNITS][AUD_COLS];
	glp_prob *lp;
};

static int aud_col(struct audit *a, const char *de, const char *coc)
{
	for (size_t j = 0; j < a->nc; j++)
		if (strcmp(a->de[j], de) == 0 && strcmp(a->coc[j], coc) == 0)
			return (int)j;
	assert_true(a->nc < AUD_COLS);
	a->de[a->nc] = de;
	a->coc[a->nc] = coc;
	return (int)a->nc++;
}

static int aud_unit(const struct audit *a, const char *org)
{
	for (size_t u = 0; u < a->nu; u++)
		if (strcmp(a->unit[u], org) == 0)
			return (int)u;
	fail_msg("unit %s is not in the table", org);
	return -1;
}

/* The LP variable (GLPK counts from 1) of unit u's own part in column j. */
static int aud_var(const struct audit *a, size_t u, size_t j)
{
	return (int)(u * a->nc + j + 1);
}

/* Adds the constraint: the sum of the variables vars[0..n) equals value. */
static void aud_row(struct audit *a, const int *vars, int n, double value)
{
	int r = glp_add_rows(a->lp, 1), ind[AUD_UNITS + 1];
	double one[AUD_UNITS + 1];

	for (int i = 0; i < n; i++) {
		ind[i + 1] = vars[i];
		one[i + 1] = 1.0;
	}
	glp_set_mat_row(a->lp, r, n, ind, one);
	glp_set_row_bnds(a->lp, r, GLP_FX, value, value);
}

/* The least (dir GLP_MIN) or largest value of variable v the published constraints allow;
 * returns 1 when unbounded. */
static int aud_extreme(struct audit *a, int v, int dir, double *val)
{
	glp_smcp parm;

	for (int c = 1; c <= glp_get_num_cols(a->lp); c++)
		glp_set_obj_coef(a->lp, c, c == v ? 1.0 : 0.0);
	glp_set_obj_dir(a->lp, dir);
	glp_init_smcp(&parm);
	parm.msg_lev = GLP_MSG_OFF;
	assert_int_equal(glp_simplex(a->lp, &parm), 0);
	if (glp_get_status(a->lp) == GLP_UNBND)
		return 1;
	assert_int_equal(glp_get_status(a->lp), GLP_OPT);
	*val = glp_get_obj_val(a->lp);
	return 0;
}

/* issue 14: a reader key's export is the public one even when it asks for the raw values: no
 * count of victims of a month, no comment, no signer; the year's figures of each district the
 * year's suppression pattern shows, none from 1 to 4. The auditor solves the constraints of
 * everything a reader is given of the province (the public report's total and per-district
 * cells, the export's cells: own parts >= 0) and checks that every withheld cell's feasible
 * range stays at least the threshold wide. An aggregator's raw export holds the small cell. */
static void reader_export_public(void **state)
{
	(void)state;
	const struct val c[] = {
	    {"KK_LP", "", "1", NULL},
	    {"KK_KORBAN", "PD", "20", NULL},
	    {"KK_KORBAN", "AP", "6", NULL},
	    {"KK_KORBAN_TOTAL", "", "26", NULL},
	};
	size_t n, nkeep, nraw, nkraw, npub, nkpub;
	gt_envelope **keep, **kraw, **kpub;

	push("53.73", fx->month, c, 4);
	Gtsync__V1__ExportedValue **rd = export_all(fx->reader, fx->year, 0, &n, &keep, &nkeep);
	Gtsync__V1__ExportedValue **raw =
	    export_all(fx->aggregator, fx->year, 0, &nraw, &kraw, &nkraw);
	Gtsync__V1__ExportedValue **pub =
	    export_all(fx->aggregator, fx->year, 1, &npub, &kpub, &nkpub);

	/* The raw export holds the girl of 53.71; the reader's does not, nor any small count. */
	assert_non_null(exported(raw, nraw, "KK_KORBAN", "AP", "53.71", fx->month));
	assert_non_null(exported(raw, nraw, "KK_LP", "", "53.71", fx->month));
	assert_true(n > 0);
	assert_int_equal(n, npub);
	for (size_t i = 0; i < n; i++) {
		const Gtsync__V1__DataValue *d = rd[i]->value;
		assert_string_equal(d->comment, "");
		assert_string_equal(rd[i]->stored_by, "");
		assert_non_null(exported(pub, npub, d->data_element, d->category_option_combo,
		                         d->org_unit, d->period));
		if (!victims(d->data_element))
			continue;
		assert_string_equal(d->period, fx->year);
		assert_false(atof(d->value) >= 1 && atof(d->value) <= 4);
	}
	assert_non_null(exported(rd, n, "KK_LP", "", "53.71", fx->month));
	assert_null(exported(rd, n, "KK_KORBAN", "AP", "53.71", fx->year));
	assert_null(exported(rd, n, "KK_KORBAN", "AP", "53.72", fx->year));
	const Gtsync__V1__DataValue *shown = exported(rd, n, "KK_KORBAN", "PD", "53.73", fx->year);
	assert_non_null(shown);
	assert_string_equal(shown->value, "20");
	/* Paged by fours, the yearly cells come once each: 53.73's PD, AP and total. */
	size_t yearly = 0;
	for (size_t i = 0; i < n; i++)
		yearly += victims(rd[i]->value->data_element);
	assert_int_equal(yearly, 3);

	/* The auditor, over 53's own part and its districts, with the truth from the aggregator's
	 * raw report. */
	gt_envelope *rawrep = report(fx->aggregator, fx->year);
	gt_envelope *pubrep = report(fx->reader, fx->year);
	const Gtsync__V1__ReportReply *rr = rawrep->report_reply, *pr = pubrep->report_reply;
	struct audit *a = calloc(1, sizeof(*a));
	assert_non_null(a);
	a->unit[a->nu++] = "53";
	for (size_t i = 0; i < pr->n_children && a->nu < AUD_UNITS; i++)
		a->unit[a->nu++] = pr->children[i]->org_unit;
	for (size_t i = 0; i < pr->n_totals; i++)
		if (victims(pr->totals[i]->data_element))
			aud_col(a, pr->totals[i]->data_element,
			        pr->totals[i]->category_option_combo);
	for (size_t i = 0; i < rr->n_children; i++) {
		const Gtsync__V1__ChildReport *ch = rr->children[i];
		for (size_t k = 0; k < ch->n_values; k++)
			if (victims(ch->values[k]->data_element))
				a->truth[aud_unit(a, ch->org_unit)]
				        [aud_col(a, ch->values[k]->data_element,
				                 ch->values[k]->category_option_combo)] =
				    ch->values[k]->value;
	}
	a->lp = glp_create_prob();
	glp_add_cols(a->lp, (int)(a->nu * a->nc));
	for (int v = 1; v <= (int)(a->nu * a->nc); v++)
		glp_set_col_bnds(a->lp, v, GLP_LO, 0.0, 0.0);
	for (size_t j = 0; j < a->nc; j++) {
		int all[AUD_UNITS], one;
		const Gtsync__V1__ReportValue *t =
		    cell(pr->totals, pr->n_totals, a->de[j], a->coc[j]);
		for (size_t u = 0; u < a->nu; u++)
			all[u] = aud_var(a, u, j);
		if (t == NULL || !t->suppressed)
			aud_row(a, all, (int)a->nu, t ? t->value : 0);
		for (size_t i = 0; i < pr->n_children; i++) {
			const Gtsync__V1__ChildReport *ch = pr->children[i];
			t = cell(ch->values, ch->n_values, a->de[j], a->coc[j]);
			one = aud_var(a, (size_t)aud_unit(a, ch->org_unit), j);
			if (t == NULL || !t->suppressed)
				aud_row(a, &one, 1, t ? t->value : 0);
		}
	}
	for (size_t i = 0; i < n; i++) {
		const Gtsync__V1__DataValue *d = rd[i]->value;
		if (!victims(d->data_element))
			continue;
		int one = aud_var(a, (size_t)aud_unit(a, d->org_unit),
		                  (size_t)aud_col(a, d->data_element, d->category_option_combo));
		aud_row(a, &one, 1, atof(d->value));
	}
	size_t leaks = 0, withheld_cells = 0;
	for (size_t u = 0; u < a->nu; u++)
		for (size_t j = 0; j < a->nc; j++) {
			double lo = 0, hi = 0, truth = a->truth[u][j];
			if (truth == 0)
				continue;
			if (exported(rd, n, a->de[j], a->coc[j], a->unit[u], fx->year) != NULL)
				continue;
			withheld_cells++;
			assert_int_equal(aud_extreme(a, aud_var(a, u, j), GLP_MIN, &lo), 0);
			if (aud_extreme(a, aud_var(a, u, j), GLP_MAX, &hi) == 1)
				continue;
			assert_true(lo <= truth + 1e-6 && truth <= hi + 1e-6);
			if (hi - lo < 5 - 1e-6) {
				fprintf(stderr, "  %s %s %s (%g) lies in [%g, %g]\n", a->unit[u],
				        a->de[j], a->coc[j], truth, lo, hi);
				leaks++;
			}
		}
	assert_true(withheld_cells >= 4);
	assert_int_equal(leaks, 0);
	glp_delete_prob(a->lp);
	free(a);
	gt_wire_envelope_free(rawrep);
	gt_wire_envelope_free(pubrep);
	free_export(rd, keep, nkeep);
	free_export(raw, kraw, nkraw);
	free_export(pub, kpub, nkpub);
}

/* How many reports of the aggregator's key the read log lists. */
static int aggregator_reports(void)
{
	char id[GT_KEY_ID_LEN + 1], cmd[4600], line[512];
	int n = 0;

	assert_int_equal(gt_key_id(fx->aggregator, id), 0);
	snprintf(cmd, sizeof(cmd), "%s/server/gtsync-server audit reads --data '%s' --key %s",
	         GT_BINARY_DIR, fx->ts.data, id);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p) != NULL)
		n += strstr(line, " report ") != NULL;
	assert_int_equal(pclose(p), 0);
	return n;
}

/* issue 14: reads wait for the writer in batches (server/readlog.c); a server stopped right
 * after a report still records it before its writer closes. */
static void reads_waiting_at_stop_are_kept(void **state)
{
	char listen[64];
	const char *again[] = {"--listen", listen, NULL};
	(void)state;

	/* What earlier tests read is in the log once the batch's 200 ms have passed. */
	usleep(400000);
	int before = aggregator_reports();
	gt_wire_envelope_free(report(fx->aggregator, fx->month));
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", fx->ts.port);
	assert_int_equal(gt_testserver_stop(&fx->ts), 0);
	assert_int_equal(aggregator_reports(), before + 1);
	gt_testserver_start(&fx->ts, again);
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
	    cmocka_unit_test(reader_export_public),
	    cmocka_unit_test(reads_waiting_at_stop_are_kept),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
