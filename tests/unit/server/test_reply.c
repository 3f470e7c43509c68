/* Tests for server/reply.c: the read handlers' shared steps answer through the reply interface
 * alone, so they run here against a recording reply with no connection behind it. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "reply.h"
#include "roleset.h"
#include "server_int.h"

/* A reply that records what a handler asked of it. */
struct rec {
	struct gt__reply r; /* first: the callbacks cast back */
	int refs, sent, done, fails;
	uint64_t fail_rid;
	int fail_code;
	char fail_msg[256];
};

static struct rec *rec_of(struct gt__reply *r)
{
	return (struct rec *)(void *)r;
}

static void rec_ref(struct gt__reply *r)
{
	rec_of(r)->refs++;
}

static void rec_unref(struct gt__reply *r)
{
	rec_of(r)->refs--;
}

static void rec_send(struct gt__reply *r, gt_envelope *env)
{
	(void)env;
	rec_of(r)->sent++;
}

static void rec_fail(struct gt__reply *r, uint64_t rid, int code, const char *msg, int fatal)
{
	struct rec *x = rec_of(r);

	assert_int_equal(fatal, 0);
	x->fails++;
	x->fail_rid = rid;
	x->fail_code = code;
	snprintf(x->fail_msg, sizeof(x->fail_msg), "%s", msg != NULL ? msg : "");
}

static void rec_done(struct gt__reply *r)
{
	rec_of(r)->done++;
}

static void rec_none(struct gt__reply *r)
{
	(void)r;
	fail_msg("a read handler never holds or releases pushes");
}

static const struct gt__reply_ops rec_ops = {
    .ref = rec_ref,
    .unref = rec_unref,
    .send = rec_send,
    .error = rec_fail,
    .done = rec_done,
    .admitted = rec_none,
    .released = rec_none,
};

struct fx {
	struct gt_server srv;
	struct rec rec;
	char *log;
	size_t log_len;
	FILE *logf;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->logf = open_memstream(&f->log, &f->log_len);
	assert_non_null(f->logf);
	gt_log_init(&f->srv.log, f->logf, GT_LOG_INFO);
	f->rec.r.ops = &rec_ops;
	f->rec.r.srv = &f->srv;
	snprintf(f->rec.r.key_id, sizeof(f->rec.r.key_id), "%s", "K000000000000001");
	snprintf(f->rec.r.org_unit, sizeof(f->rec.r.org_unit), "%s", "53.71");
	f->rec.r.roles = GT_ROLE_BIT(GTSYNC__V1__ROLE__ROLE_OPERATOR);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	fclose(f->logf);
	free(f->log);
	free(f);
	return 0;
}

/* A request envelope as the wire decoder hands it over (freed by a refusal). */
static gt_envelope *request(uint64_t rid)
{
	gt_envelope *env = malloc(sizeof(*env));

	assert_non_null(env);
	gtsync__v1__envelope__init(env);
	env->request_id = rid;
	return env;
}

static void scope_checked_and_refusal_answered(void **state)
{
	struct fx *f = *state;
	gt_envelope *env = request(7);

	/* The key's own unit, and a request that names no unit: nothing is answered yet. */
	assert_int_equal(gt__reply_read_allowed(&f->rec.r, env, "53.71", NULL), GT_OK);
	assert_int_equal(gt__reply_read_allowed(&f->rec.r, env, NULL, NULL), GT_OK);
	assert_int_equal(f->rec.fails + f->rec.done + f->rec.sent, 0);

	/* Another district: refused with GT_EPERM for that request, ended, logged. */
	assert_int_equal(gt__reply_read_allowed(&f->rec.r, env, "53.72", NULL), GT_EPERM);
	assert_int_equal(f->rec.fails, 1);
	assert_int_equal(f->rec.fail_rid, 7);
	assert_int_equal(f->rec.fail_code, GT_EPERM);
	assert_int_equal(f->rec.done, 1);
	fflush(f->logf);
	assert_non_null(strstr(f->log, "read_refused"));
	assert_non_null(strstr(f->log, "asked=53.72"));

	/* A reason decided before (a reader key asking for raw values) refuses its own unit too,
	 * in its own words. */
	env = request(8);
	assert_int_equal(gt__reply_read_allowed(&f->rec.r, env, "53.71", "not for readers"),
	                 GT_EPERM);
	assert_int_equal(f->rec.fail_rid, 8);
	assert_string_equal(f->rec.fail_msg, "not for readers");
	assert_int_equal(f->rec.done, 2);
}

static void failures_answered_once(void **state)
{
	struct fx *f = *state;

	/* Work that succeeded: the caller replies. */
	assert_int_equal(gt__reply_failed(&f->rec.r, 1, 0, GT_OK, NULL), 0);
	assert_int_equal(f->rec.fails, 0);

	/* Cancelled by a stopping server, whatever the work's own code. */
	assert_int_equal(gt__reply_failed(&f->rec.r, 2, UV_ECANCELED, GT_EPERM, "x"), 1);
	assert_int_equal(f->rec.fail_code, GT_ECANCELED);
	assert_string_equal(f->rec.fail_msg, "the server is shutting down");

	/* Failed: the work's code and sentence. */
	assert_int_equal(gt__reply_failed(&f->rec.r, 3, 0, GT_ENOENT, "unknown data set"), 1);
	assert_int_equal(f->rec.fails, 2);
	assert_int_equal(f->rec.fail_rid, 3);
	assert_int_equal(f->rec.fail_code, GT_ENOENT);
	assert_string_equal(f->rec.fail_msg, "unknown data set");
}

static void end_releases_the_reference(void **state)
{
	struct fx *f = *state;

	gt__reply_ref(&f->rec.r);
	assert_int_equal(f->rec.refs, 1);
	gt__reply_end(&f->rec.r);
	assert_int_equal(f->rec.refs, 0);
	assert_int_equal(f->rec.done, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(scope_checked_and_refusal_answered, setup, teardown),
	    cmocka_unit_test_setup_teardown(failures_answered_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(end_releases_the_reference, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
