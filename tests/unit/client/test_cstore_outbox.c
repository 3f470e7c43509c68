/* Tests of the client store's outbox: revisions, replaced and unchanged values, limits when
 * packing, workflow actions through their states. */
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

/* Revisions rise above what is known and at least to the clock; a queued change of the same
 * key is replaced; an unchanged value queues nothing. */
static void test_queue_revisions(void **state)
{
	struct gt_cstorefx *f = *state;
	struct gt_cstore_value v = gt_cstorefx_val("KK_LP", "202607", "", "3");
	struct gt_cstore_outrow *rows;
	struct gt_cstore_status s;
	size_t n;
	int what;

	assert_int_equal(gt_cstore_queue(f->st, &v, GT_CSTOREFX_NOW, &what), GT_OK);
	assert_int_equal(what, GT_CSTORE_NEW);
	assert_int_equal(gt_cstore_queue(f->st, &v, GT_CSTOREFX_NOW + 1, &what), GT_OK);
	assert_int_equal(what, GT_CSTORE_UNCHANGED);
	v.value = "4";
	assert_int_equal(gt_cstore_queue(f->st, &v, 5, &what), GT_OK); /* a clock gone back */
	assert_int_equal(what, GT_CSTORE_REPLACED);
	gt_cstorefx_status(f->st, &s);
	assert_int_equal(s.values[GT_CSTORE_QUEUED], 1);
	assert_int_equal(gt_cstore_queued_take(f->st, 10, 1000, &rows, &n), GT_OK);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].value, "4");
	assert_int_equal(rows[0].revision, GT_CSTOREFX_NOW + 1); /* above the replaced revision */
	struct gt_cstore_batch b = {.seq = 1, .bytes = (uint8_t *)"x", .len = 1, .n_values = 1};
	assert_int_equal(gt_cstore_batch_save(f->st, &b, &rows[0].id, 1, GT_CSTOREFX_NOW), GT_OK);
	gt_cstore_outrows_free(rows, n);
	/* Once batched, a new value is a new change with a higher revision. */
	v.value = "5";
	assert_int_equal(gt_cstore_queue(f->st, &v, GT_CSTOREFX_NOW, &what), GT_OK);
	assert_int_equal(what, GT_CSTORE_NEW);
	assert_int_equal(gt_cstore_queued_take(f->st, 10, 1000, &rows, &n), GT_OK);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].revision, GT_CSTOREFX_NOW + 2);
	gt_cstore_outrows_free(rows, n);
	/* The same as the batched value: unchanged. */
	v.value = "4";
	assert_int_equal(gt_cstore_queue(f->st, &v, GT_CSTOREFX_NOW, &what), GT_OK);
	assert_int_equal(what, GT_CSTORE_REPLACED); /* the queued 5 becomes 4 again */
	gt_cstorefx_status(f->st, &s);
	assert_int_equal(s.values[GT_CSTORE_QUEUED], 1);
	assert_int_equal(s.values[GT_CSTORE_BATCHED], 1);
	assert_int_equal(gt_cstore_unsent(f->st, &s.replica_values), GT_OK);
	assert_int_equal(s.replica_values, 2);
}

static void test_take_limits(void **state)
{
	struct gt_cstorefx *f = *state;
	struct gt_cstore_outrow *rows;
	char period[8];
	size_t n;

	for (int m = 1; m <= 9; m++) {
		snprintf(period, sizeof(period), "20260%d", m);
		struct gt_cstore_value v = gt_cstorefx_val("KK_LP", period, "", "1234567890");
		assert_int_equal(gt_cstore_queue(f->st, &v, GT_CSTOREFX_NOW, NULL), GT_OK);
	}
	assert_int_equal(gt_cstore_queued_take(f->st, 4, 1 << 20, &rows, &n), GT_OK);
	assert_int_equal(n, 4);
	assert_string_equal(rows[0].period, "202601");
	assert_string_equal(rows[3].period, "202604");
	gt_cstore_outrows_free(rows, n);
	/* Each row holds 5+6+5+0+10 = 26 bytes of text: a budget of 60 takes two. */
	assert_int_equal(gt_cstore_queued_take(f->st, 100, 60, &rows, &n), GT_OK);
	assert_int_equal(n, 2);
	gt_cstore_outrows_free(rows, n);
	/* The first row is taken even when over the budget. */
	assert_int_equal(gt_cstore_queued_take(f->st, 100, 1, &rows, &n), GT_OK);
	assert_int_equal(n, 1);
	gt_cstore_outrows_free(rows, n);
	assert_int_equal(gt_cstore_queued_take(f->st, 0, 1, &rows, &n), GT_OK);
	assert_int_equal(n, 0);
	assert_null(rows);
}

/* Workflow actions go through the outbox's states like values: queued, batched (in a batch of
 * their own), then applied, skipped with the server's reason, requeued or refused. */
static void test_actions(void **state)
{
	struct gt_cstorefx *f = *state;
	struct gt_cstore_status s;
	struct gt_cstore_action a, *list;
	struct gt_cstore_batch *p;
	size_t n;
	int64_t id;

	/* Taking from an empty queue, or zero, is nothing. */
	assert_int_equal(gt_cstore_actions_take(f->st, 0, &list, &n), GT_OK);
	assert_int_equal(n, 0);
	assert_null(list);
	/* Two approvals (with their digests) in batch 1. */
	gt_cstorefx_make_action_batch(f->st, 1, 2, 2);
	/* A return with its reason, no digest, queued after it. */
	struct gt_cstore_action_in in = {GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_RETURN,
	                                 "KK",
	                                 "2025",
	                                 "53.71",
	                                 "angka Juli perlu diperiksa",
	                                 NULL,
	                                 0};
	assert_int_equal(gt_cstore_action_queue(f->st, &in, GT_CSTOREFX_NOW, &id), GT_OK);
	assert_true(id > 0);
	assert_int_equal(gt_cstore_action_get(f->st, id, &a), GT_OK);
	assert_int_equal(a.kind, GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_RETURN);
	assert_string_equal(a.reason, "angka Juli perlu diperiksa");
	assert_string_equal(a.org_unit, "53.71");
	assert_false(a.has_digest);
	assert_int_equal(a.state, GT_CSTORE_QUEUED);
	assert_int_equal(a.seq, 0);
	gt_cstore_action_clear(&a);
	gt_cstore_action_clear(NULL);
	assert_int_equal(gt_cstore_action_get(f->st, id + 100, &a), GT_ENOENT);
	assert_int_equal(gt_cstore_actions_recent(f->st, 10, &list, &n), GT_OK);
	assert_int_equal(n, 3);
	assert_int_equal(list[0].state, GT_CSTORE_BATCHED);
	assert_int_equal(list[0].seq, 1);
	assert_int_equal(list[2].id, id);
	assert_int_equal(list[2].state, GT_CSTORE_QUEUED);
	gt_cstore_actions_free(list, n);
	gt_cstore_actions_free(NULL, 0);

	/* The batch is pending with its actions counted, and no values. */
	assert_int_equal(gt_cstore_batches_pending(f->st, &p, &n), GT_OK);
	assert_int_equal(n, 1);
	assert_int_equal(p[0].n_actions, 2);
	assert_int_equal(p[0].n_values, 0);
	gt_cstore_batches_free(p, n);

	/* Ack: the second action was skipped (children not ready). */
	uint32_t idx[1] = {1}, conflicts = 7;
	assert_int_equal(gt_cstorefx_ack_conflict(
	                     f->st, 1, GTSYNC__V1__CONFLICT_REASON__CONFLICT_CHILDREN_NOT_READY,
	                     GTSYNC__V1__ITEM_KIND__ITEM_ACTION, idx, 1,
	                     "not every child unit is approved and accepted", &conflicts),
	                 GT_OK);
	assert_int_equal(conflicts, 0); /* counts values only */
	gt_cstorefx_status(f->st, &s);
	assert_int_equal(s.actions[GT_CSTORE_ACKED], 1);
	assert_int_equal(s.actions[GT_CSTORE_CONFLICT], 1);
	assert_int_equal(s.actions[GT_CSTORE_QUEUED], 1);
	assert_int_equal(s.values[GT_CSTORE_CONFLICT], 0);
	assert_int_equal(gt_cstore_actions_recent(f->st, 3, &list, &n), GT_OK);
	assert_int_equal(n, 3); /* the latest three, oldest first */
	assert_int_equal(list[0].state, GT_CSTORE_ACKED);
	assert_int_equal(list[0].status, GTSYNC__V1__PUSH_STATUS__PUSH_WARNING);
	assert_int_equal(list[1].state, GT_CSTORE_CONFLICT);
	assert_int_equal(list[1].conflict,
	                 GTSYNC__V1__CONFLICT_REASON__CONFLICT_CHILDREN_NOT_READY);
	assert_string_equal(list[1].message, "not every child unit is approved and accepted");
	assert_int_equal(list[1].n_digested, 12);
	gt_cstore_actions_free(list, n);

	/* Batch 2 (the return): reused sequence, requeued; then batch 3 refused for good. */
	gt_cstorefx_make_action_batch(f->st, 2, 0, 1);
	assert_int_equal(gt_cstore_action_get(f->st, id, &a), GT_OK);
	assert_int_equal(a.state, GT_CSTORE_BATCHED);
	assert_int_equal(a.seq, 2);
	gt_cstore_action_clear(&a);
	assert_int_equal(gt_cstore_batch_refused(f->st, 2, GT_ECONFLICT, "reused",
	                                         GT_CSTORE_REQUEUE, GT_CSTOREFX_NOW),
	                 GT_OK);
	assert_int_equal(gt_cstore_action_get(f->st, id, &a), GT_OK);
	assert_int_equal(a.state, GT_CSTORE_QUEUED);
	assert_int_equal(a.seq, 0);
	gt_cstore_action_clear(&a);
	gt_cstorefx_make_action_batch(f->st, 3, 1, 2);
	assert_int_equal(gt_cstore_batch_refused(f->st, 3, GT_EPERM,
	                                         "only the province's aggregator may accept",
	                                         GT_CSTORE_REFUSE, GT_CSTOREFX_NOW),
	                 GT_OK);
	assert_int_equal(gt_cstore_action_get(f->st, id, &a), GT_OK);
	assert_int_equal(a.state, GT_CSTORE_REFUSED);
	assert_int_equal(a.code, GT_EPERM);
	assert_string_equal(a.message, "only the province's aggregator may accept");
	gt_cstore_action_clear(&a);
	gt_cstorefx_status(f->st, &s);
	assert_int_equal(s.actions[GT_CSTORE_REFUSED], 2);
	assert_int_equal(s.actions[GT_CSTORE_QUEUED], 0);
	/* A duplicate ack applies the actions of a batch sent before a crash. */
	gt_cstorefx_make_action_batch(f->st, 4, 1, 1);
	Gtsync__V1__PushAck dup = GTSYNC__V1__PUSH_ACK__INIT;
	dup.status = GTSYNC__V1__PUSH_STATUS__PUSH_DUPLICATE;
	assert_int_equal(gt_cstore_batch_acked(f->st, 4, &dup, GT_CSTOREFX_NOW, NULL), GT_OK);
	assert_int_equal(gt_cstore_actions_recent(f->st, 1, &list, &n), GT_OK);
	assert_int_equal(list[0].state, GT_CSTORE_ACKED);
	assert_int_equal(list[0].status, GTSYNC__V1__PUSH_STATUS__PUSH_DUPLICATE);
	gt_cstore_actions_free(list, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_queue_revisions, gt_cstorefx_setup,
	                                    gt_cstorefx_teardown),
	    cmocka_unit_test_setup_teardown(test_take_limits, gt_cstorefx_setup,
	                                    gt_cstorefx_teardown),
	    cmocka_unit_test_setup_teardown(test_actions, gt_cstorefx_setup, gt_cstorefx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
