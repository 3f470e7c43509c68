/* A client store in a temporary directory for the store's unit tests, with helpers that fill
 * it. */
#include "cstorefx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "testutil.h"

int gt_cstorefx_setup(void **state)
{
	struct gt_cstorefx *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	f->dir = gt_test_tmpdir("cstore");
	snprintf(f->path, sizeof(f->path), "%s/client.db", f->dir);
	if (gt_cstore_create(f->path, &f->st) != GT_OK)
		return -1;
	*state = f;
	return 0;
}

int gt_cstorefx_teardown(void **state)
{
	struct gt_cstorefx *f = *state;

	gt_cstore_close(f->st);
	gt_test_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

struct gt_cstore_value gt_cstorefx_val(const char *de, const char *period, const char *coc,
                                       const char *value)
{
	struct gt_cstore_value v = {de, period, "53.71", coc, value, "", "", "test", 0};
	return v;
}

void gt_cstorefx_status(struct gt_cstore *st, struct gt_cstore_status *s)
{
	assert_int_equal(gt_cstore_status(st, s), GT_OK);
}

void gt_cstorefx_make_batch(struct gt_cstore *st, uint64_t seq, int n, const char *tag)
{
	struct gt_cstore_outrow *rows;
	int64_t ids[64];
	size_t got;
	char period[32], value[32];

	for (int i = 0; i < n; i++) {
		/* Each batch its own year, so batches never share a key. */
		snprintf(period, sizeof(period), "%04d%02d", 2000 + (int)seq, i + 1);
		snprintf(value, sizeof(value), "%s%d", tag, i);
		struct gt_cstore_value v = gt_cstorefx_val("GT_CATATAN", period, "", value);
		assert_int_equal(gt_cstore_queue(st, &v, GT_CSTOREFX_NOW, NULL), GT_OK);
	}
	assert_int_equal(gt_cstore_queued_take(st, (size_t)n, 1 << 20, &rows, &got), GT_OK);
	assert_int_equal(got, (size_t)n);
	for (size_t i = 0; i < got; i++)
		ids[i] = rows[i].id;
	struct gt_cstore_batch b = {.seq = seq, .len = 3, .n_values = (uint32_t)n};
	b.bytes = (uint8_t *)"abc";
	memset(b.batch_id, (int)seq, sizeof(b.batch_id));
	memset(b.sig, 0x5a, sizeof(b.sig));
	assert_int_equal(gt_cstore_batch_save(st, &b, ids, got, GT_CSTOREFX_NOW), GT_OK);
	gt_cstore_outrows_free(rows, got);
}

void gt_cstorefx_make_action_batch(struct gt_cstore *st, uint64_t seq, int n, size_t take)
{
	struct gt_cstore_action *rows;
	int64_t ids[16];
	size_t got;
	uint8_t digest[32];
	char period[32];

	for (int i = 0; i < n; i++) {
		memset(digest, i + 1, sizeof(digest));
		snprintf(period, sizeof(period), "%04d", 2000 + (int)seq * 10 + i);
		struct gt_cstore_action_in a = {GTSYNC__V1__WORKFLOW_KIND__WORKFLOW_APPROVE,
		                                "KK",
		                                period,
		                                "53.71",
		                                "",
		                                digest,
		                                12};
		assert_int_equal(gt_cstore_action_queue(st, &a, GT_CSTOREFX_NOW, NULL), GT_OK);
	}
	assert_int_equal(gt_cstore_actions_take(st, 16, &rows, &got), GT_OK);
	assert_int_equal(got, take);
	for (size_t i = 0; i < got; i++) {
		ids[i] = rows[i].id;
		assert_int_equal(rows[i].state, GT_CSTORE_QUEUED);
		if (i + (size_t)n >= got) {
			assert_true(rows[i].has_digest);
			assert_int_equal(rows[i].digest[0], (int)(i + (size_t)n - got) + 1);
		}
	}
	gt_cstore_actions_free(rows, got);
	struct gt_cstore_batch b = {.seq = seq, .len = 3};
	b.bytes = (uint8_t *)"xyz";
	memset(b.batch_id, (int)seq, sizeof(b.batch_id));
	assert_int_equal(gt_cstore_batch_save_actions(st, &b, ids, got, GT_CSTOREFX_NOW), GT_OK);
}

int gt_cstorefx_ack_conflict(struct gt_cstore *st, uint64_t seq, int reason, int kind,
                             uint32_t *idx, size_t n, const char *message, uint32_t *conflicts)
{
	Gtsync__V1__Conflict cf = GTSYNC__V1__CONFLICT__INIT, *cfp = &cf;
	Gtsync__V1__PushAck ack = GTSYNC__V1__PUSH_ACK__INIT;

	cf.reason = reason;
	cf.kind = kind;
	cf.indexes = idx;
	cf.n_indexes = n;
	cf.message = (char *)message;
	ack.status = GTSYNC__V1__PUSH_STATUS__PUSH_WARNING;
	ack.conflicts = &cfp;
	ack.n_conflicts = 1;
	return gt_cstore_batch_acked(st, seq, &ack, GT_CSTOREFX_NOW, conflicts);
}
