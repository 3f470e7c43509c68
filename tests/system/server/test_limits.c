/* Integration tests of the server's configurable limits, against the real binary on loopback. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <signal.h>
#include <unistd.h>

#include "crypto.h"
#include "error.h"
#include "i18n.h"
#include "session.h"
#include "testserver.h"
#include "wire.h"

struct fx {
	struct gt_testserver ts;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	signal(SIGPIPE, SIG_IGN);
	gt_testserver_setup(&f->ts);
	const char *extra[] = {"--max-conns",
	                       "3",
	                       "--max-conns-per-key",
	                       "2",
	                       "--idle-timeout",
	                       "4",
	                       "--max-inflight",
	                       "2",
	                       "--max-values",
	                       "10",
	                       NULL};
	gt_testserver_start(&f->ts, extra);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	gt_testserver_teardown(&f->ts);
	free(f);
	return 0;
}

static struct gt_session *open_session(struct fx *f, const struct gt_key *k,
                                       struct gt_session_err *err)
{
	return gt_testserver_session(&f->ts, k, err);
}

/* A signed PushRequest envelope of n KK_LP values (default combo), months from 202301. */
static void make_push(const struct gt_key *k, const char *org, uint64_t seq, int n,
                      gt_envelope *env, Gtsync__V1__PushRequest *pr, struct gt_test_signed *sb)
{
	gt_batch b = GTSYNC__V1__BATCH__INIT;
	Gtsync__V1__DataValue v[24], *vp[24];
	char periods[24][8];

	for (int i = 0; i < n; i++) {
		gtsync__v1__data_value__init(&v[i]);
		snprintf(periods[i], sizeof(periods[i]), "%d%02d", 2023 + i / 12, i % 12 + 1);
		v[i].data_element = "KK_LP";
		v[i].org_unit = (char *)org;
		v[i].period = periods[i];
		v[i].value = "3";
		v[i].revision = 1;
		vp[i] = &v[i];
	}
	b.values = vp;
	b.n_values = (size_t)n;
	gt_test_sign_batch(k, org, seq, &b, sb);
	gtsync__v1__push_request__init(pr);
	pr->batch.data = sb->bytes;
	pr->batch.len = sb->len;
	pr->signature.data = sb->sig;
	pr->signature.len = sizeof(sb->sig);
	gtsync__v1__envelope__init(env);
	env->body_case = GTSYNC__V1__ENVELOPE__BODY_PUSH;
	env->push = pr;
}

static void values_per_batch(void **state)
{
	struct fx *f = *state;
	struct gt_key *k = gt_testserver_key(&f->ts, "53.71", "operator");
	struct gt_session_err err;
	struct gt_session *s;
	gt_envelope env, *reply;
	Gtsync__V1__PushRequest pr;
	struct gt_test_signed sb;

	gt_testserver_open_late(&f->ts, "53.71", "2023"); /* past KK's expiry */
	s = open_session(f, k, &err);
	assert_non_null(s);
	make_push(k, "53.71", 1, 10, &env, &pr, &sb);
	assert_int_equal(gt_session_call(s, &env, &reply, &err), 0);
	assert_int_equal(reply->push_ack->status, GTSYNC__V1__PUSH_STATUS__PUSH_OK);
	gt_wire_envelope_free(reply);
	free(sb.bytes);
	/* One over the limit of 10 is refused whole. */
	make_push(k, "53.71", 2, 11, &env, &pr, &sb);
	assert_int_equal(gt_session_call(s, &env, &reply, &err), 0);
	assert_int_equal(reply->push_ack->status, GTSYNC__V1__PUSH_STATUS__PUSH_REFUSED);
	assert_int_equal(reply->push_ack->refuse_code, GT_ETOOBIG);
	gt_wire_envelope_free(reply);
	free(sb.bytes);
	gt_session_close(s);
	gt_key_free(k);
}

static void connections_per_key_and_global(void **state)
{
	struct fx *f = *state;
	struct gt_key *a = gt_testserver_key(&f->ts, "53.72", "operator");
	struct gt_key *b = gt_testserver_key(&f->ts, "36.01", "operator");
	struct gt_session_err err;
	struct gt_session *s1, *s2, *s3, *s4;

	s1 = open_session(f, a, &err);
	s2 = open_session(f, a, &err);
	assert_non_null(s1);
	assert_non_null(s2);
	/* A third connection of the same key: over the per-key limit of 2. */
	assert_null(open_session(f, a, &err));
	assert_int_equal(err.code, GT_ELIMIT);
	assert_non_null(strstr(err.message, "this key"));
	/* A third connection of another key fills the global limit of 3... */
	s3 = open_session(f, b, &err);
	assert_non_null(s3);
	/* ...and a fourth is told the server is full, in words. */
	s4 = open_session(f, b, &err);
	assert_null(s4);
	assert_int_equal(err.code, GT_ELIMIT);
	assert_non_null(strstr(err.message, "too many connections"));
	gt_session_close(s1);
	gt_session_close(s2);
	gt_session_close(s3);
	/* Once connections close, new ones are served again (bounded wait). */
	struct gt_session *s5 = NULL;
	for (int i = 0; i < 50 && s5 == NULL; i++) {
		s5 = open_session(f, b, &err);
		if (s5 == NULL)
			usleep(100 * 1000);
	}
	assert_non_null(s5);
	gt_session_close(s5);
	gt_key_free(a);
	gt_key_free(b);
}

static void requests_in_flight(void **state)
{
	struct fx *f = *state;
	struct gt_key *k = gt_testserver_key(&f->ts, "36.71", "operator");
	struct gt_session_err err;
	struct gt_session *s = open_session(f, k, &err);
	gt_envelope env[6];
	Gtsync__V1__PushRequest pr[6];
	struct gt_test_signed sb[6];
	int acked = 0, limited = 0;

	assert_non_null(s);
	/* Six pushes sent back to back, without waiting: at most 2 may be in flight. */
	for (int i = 0; i < 6; i++) {
		make_push(k, "36.71", (uint64_t)i + 1, 2, &env[i], &pr[i], &sb[i]);
		assert_int_equal(gt_session_send(s, &env[i], NULL), 0);
	}
	for (int i = 0; i < 6; i++) {
		gt_envelope *r = NULL;
		assert_int_equal(gt_session_recv(s, &r, &err), 0);
		if (r->body_case == GTSYNC__V1__ENVELOPE__BODY_PUSH_ACK)
			acked++;
		else if (r->body_case == GTSYNC__V1__ENVELOPE__BODY_ERROR &&
		         r->error->code == GT_ELIMIT)
			limited++;
		gt_wire_envelope_free(r);
		free(sb[i].bytes);
	}
	assert_int_equal(acked + limited, 6);
	assert_true(acked >= 2);
	assert_true(limited >= 1);
	gt_session_close(s);
	gt_key_free(k);
}

static void idle_connections_closed(void **state)
{
	struct fx *f = *state;
	struct gt_key *k = gt_testserver_key(&f->ts, "36.01", "reader");
	struct gt_session_err err;
	struct gt_session *s = open_session(f, k, &err);
	gt_envelope *r = NULL;

	assert_non_null(s);
	/* Idle past the 4 s timeout: the server says why and closes. */
	assert_int_equal(gt_session_recv(s, &r, &err), 0);
	assert_int_equal(r->body_case, GTSYNC__V1__ENVELOPE__BODY_ERROR);
	assert_int_equal(r->error->code, GT_ETIMEDOUT);
	assert_non_null(strstr(r->error->message, "idle"));
	gt_wire_envelope_free(r);
	gt_session_close(s);
	gt_key_free(k);
	assert_true(gt_testserver_log_count(&f->ts, "idle too long") >= 1);
}

static void sigint_stops_cleanly(void **state)
{
	struct fx *f = *state;
	assert_true(gt_testserver_alive(&f->ts));
	kill(f->ts.pid, SIGINT);
	int status = -1;
	for (int i = 0; i < 200 && gt_testserver_alive(&f->ts); i++)
		usleep(50 * 1000);
	assert_false(gt_testserver_alive(&f->ts));
	(void)status;
	assert_true(gt_testserver_log_count(&f->ts, "stopped") >= 1);
}

int main(void)
{
	/* The sessions here read the server's own words: English (issue 12, servermsg.h). */
	gt_i18n_use(GT_LANG_EN);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(values_per_batch),
	    cmocka_unit_test(connections_per_key_and_global),
	    cmocka_unit_test(requests_in_flight),
	    cmocka_unit_test(idle_connections_closed),
	    cmocka_unit_test(sigint_stops_cleanly),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
