/* Tests of the client store's answers for a person: counts by state, the values the server did
 * not apply, the replica by org unit, the workflow actions and their outcome. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cstore.h"
#include "cstorefx.h"
#include "error.h"

/* A new store counts nothing. */
static void test_empty_status(void **state)
{
	struct gt_cstorefx *f = *state;
	struct gt_cstore_status s, zero;
	struct gt_cstore_action *a = (struct gt_cstore_action *)1;
	size_t n = 9;

	memset(&zero, 0, sizeof(zero));
	gt_cstorefx_status(f->st, &s);
	assert_memory_equal(&s, &zero, sizeof(s));
	assert_int_equal(gt_cstore_actions_recent(f->st, 10, &a, &n), GT_OK);
	assert_int_equal(n, 0);
	assert_null(a);
}

static int stop_at_first(void *arg, const struct gt_cstore_problem *p)
{
	int *calls = arg;
	(*calls)++;
	assert_int_equal(p->state, GT_CSTORE_REFUSED);
	assert_int_equal(p->reason, GT_EPERM);
	assert_string_equal(p->message, "not yours");
	assert_string_equal(p->source, "test");
	assert_int_equal(p->seq, 1);
	return 42;
}

/* A callback's non-zero return stops the listing and is returned. */
static void test_problems_stop(void **state)
{
	struct gt_cstorefx *f = *state;
	int calls = 0;

	gt_cstorefx_make_batch(f->st, 1, 3, "v");
	assert_int_equal(gt_cstore_batch_refused(f->st, 1, GT_EPERM, "not yours", GT_CSTORE_REFUSE,
	                                         GT_CSTOREFX_NOW),
	                 GT_OK);
	assert_int_equal(gt_cstore_problems(f->st, stop_at_first, &calls), 42);
	assert_int_equal(calls, 1);
	/* The statement was left reset: the next listing starts again. */
	calls = 0;
	assert_int_equal(gt_cstore_problems(f->st, stop_at_first, &calls), 42);
	assert_int_equal(calls, 1);
}

struct units {
	int n;
	char line[4][32];
};

static int on_unit(void *arg, const char *org, uint64_t n)
{
	struct units *u = arg;
	if (u->n < 4)
		snprintf(u->line[u->n], sizeof(u->line[0]), "%s=%llu", org, (unsigned long long)n);
	u->n++;
	return 0;
}

/* The replica by org unit, in code order, and its totals in the status. */
static void test_replica_units(void **state)
{
	struct gt_cstorefx *f = *state;
	static const char *const ous[] = {"53.72", "53.71", "53.72"};
	Gtsync__V1__DataValue dv[3];
	Gtsync__V1__PulledValue pv[3], *pvp[3];
	Gtsync__V1__PullChunk chunk = GTSYNC__V1__PULL_CHUNK__INIT;
	struct gt_cstore_status s;
	struct units u = {0};
	char period[3][8];

	for (int i = 0; i < 3; i++) {
		gtsync__v1__data_value__init(&dv[i]);
		gtsync__v1__pulled_value__init(&pv[i]);
		snprintf(period[i], sizeof(period[i]), "20260%d", i + 1);
		dv[i].data_element = "KK_LP";
		dv[i].period = period[i];
		dv[i].org_unit = (char *)ous[i];
		dv[i].category_option_combo = "";
		dv[i].value = "1";
		dv[i].comment = "";
		pv[i].value = &dv[i];
		pv[i].change_seq = (uint64_t)i + 1;
		pvp[i] = &pv[i];
	}
	chunk.values = pvp;
	chunk.n_values = 3;
	chunk.next_cursor = 3;
	assert_int_equal(gt_cstore_pull_apply(f->st, "53", &chunk, GT_CSTOREFX_NOW), GT_OK);
	assert_int_equal(gt_cstore_replica_units(f->st, on_unit, &u), GT_OK);
	assert_int_equal(u.n, 2);
	assert_string_equal(u.line[0], "53.71=1");
	assert_string_equal(u.line[1], "53.72=2");
	gt_cstorefx_status(f->st, &s);
	assert_int_equal(s.replica_values, 3);
	assert_int_equal(s.replica_units, 2);
}

/* The most recent actions, oldest first; one action by id; an unknown id is GT_ENOENT with a
 * sentence. */
static void test_actions_recent_and_get(void **state)
{
	struct gt_cstorefx *f = *state;
	struct gt_cstore_action *a = NULL, one;
	struct gt_cstore_status s;
	size_t n = 0;

	gt_cstorefx_make_action_batch(f->st, 1, 3, 3);
	assert_int_equal(gt_cstore_actions_recent(f->st, 2, &a, &n), GT_OK);
	assert_int_equal(n, 2);
	assert_true(a[0].id < a[1].id);
	assert_string_equal(a[1].period, "2012");
	assert_int_equal(a[1].state, GT_CSTORE_BATCHED);
	assert_int_equal(a[1].seq, 1);
	assert_int_equal(gt_cstore_action_get(f->st, a[0].id, &one), GT_OK);
	assert_string_equal(one.period, "2011");
	assert_int_equal(one.n_digested, 12);
	assert_true(one.has_digest);
	gt_cstore_action_clear(&one);
	gt_cstore_actions_free(a, n);
	assert_int_equal(gt_cstore_action_get(f->st, 12345, &one), GT_ENOENT);
	assert_string_equal(gt_cstore_errmsg(f->st), "no workflow action 12345");
	gt_cstorefx_status(f->st, &s);
	assert_int_equal(s.actions[GT_CSTORE_BATCHED], 3);
	assert_int_equal(s.batches[GT_CSTORE_BATCH_PENDING], 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_empty_status, gt_cstorefx_setup,
	                                    gt_cstorefx_teardown),
	    cmocka_unit_test_setup_teardown(test_problems_stop, gt_cstorefx_setup,
	                                    gt_cstorefx_teardown),
	    cmocka_unit_test_setup_teardown(test_replica_units, gt_cstorefx_setup,
	                                    gt_cstorefx_teardown),
	    cmocka_unit_test_setup_teardown(test_actions_recent_and_get, gt_cstorefx_setup,
	                                    gt_cstorefx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
