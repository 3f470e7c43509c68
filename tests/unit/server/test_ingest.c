/* Tests for gt_ingest_check (server/ingest.c): one request struct in, the signature, the shape,
 * the authority and the rules' verdicts out; a refused batch's header is still read. */
#define _GNU_SOURCE
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "ingest.h"
#include "key.h"
#include "metadata.h"
#include "roleset.h"
#include "snapshot.h"
#include "testbatch.h"
#include "wire.h"

struct fixture {
	struct gt_key *key;
	uint8_t pub[GT_ED25519_PUB_LEN];
	char key_id[GT_KEY_ID_LEN + 1];
	struct gt_snapshot snap;
	struct gt_snap_ou ous[2];
	struct gt_principal p;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_int_equal(gt_key_generate(&f->key), 0);
	assert_int_equal(gt_key_public(f->key, f->pub), 0);
	assert_int_equal(gt_key_id(f->key, f->key_id), 0);
	assert_int_equal(gt_meta_load_dir(GT_SOURCE_DIR "/metadata", &f->snap.meta, NULL), 0);
	strcpy(f->ous[0].code, "53");
	f->ous[0].level = 2;
	strcpy(f->ous[1].code, "53.71");
	f->ous[1].level = 3;
	f->snap.ous = f->ous;
	f->snap.nous = 2;
	f->p =
	    (struct gt_principal){f->key_id, "53.71", GT_ROLE_BIT(GTSYNC__V1__ROLE__ROLE_OPERATOR)};
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	gt_meta_free(f->snap.meta);
	gt_key_free(f->key);
	free(f);
	return 0;
}

/* Signs b's bytes with the fixture's key into sig. */
static void sign(struct fixture *f, const struct gt_test_built *b, uint8_t sig[64])
{
	assert_int_equal(gt_key_sign(f->key, b->bytes, b->len, sig), 0);
}

static struct gt_ingest_req req_for(struct fixture *f, const struct gt_test_built *b,
                                    const uint8_t *sig, size_t sig_len)
{
	struct gt_ingest_req rq = {
	    .snap = &f->snap,
	    .principal = &f->p,
	    .pub = f->pub,
	    .bytes = b->bytes,
	    .len = b->len,
	    .sig = sig,
	    .sig_len = sig_len,
	    .max_values = 4,
	    .now_ms = INT64_C(20157) * 86400000, /* 2025-03-10 */
	};
	return rq;
}

static void accepted_with_verdicts(void **state)
{
	struct fixture *f = *state;
	const struct gt_test_val v[] = {
	    {"KK_LP", "202501", "53.71", "", "3", 1, 0},
	    {"KK_LP", "202501", "53.71", "", "oops", 1, 0},
	};
	struct gt_test_built b;
	struct gt_ingest_checked c;
	uint8_t sig[64];

	gt_test_build(&b, f->key_id, "53.71", 7, 0, v, 2, NULL, 0, NULL, 0);
	sign(f, &b, sig);
	struct gt_ingest_req rq = req_for(f, &b, sig, 64);
	assert_int_equal(gt_ingest_check(&rq, &c), 0);
	assert_non_null(c.batch);
	assert_int_equal(c.sequence, 7);
	assert_int_equal(c.batch_id_len, GT_BATCH_ID_LEN);
	assert_int_equal(c.verdicts.values[0], 0);
	assert_int_equal(c.verdicts.values[1],
	                 GTSYNC__V1__CONFLICT_REASON__CONFLICT_WRONG_VALUE_TYPE);
	gt_ingest_checked_free(&c);
	gt_ingest_checked_free(&c); /* a freed struct is zeroed */
	gt_test_unbuild(&b);
}

/* issue 10 item 14: a refused batch's ack carries its sequence and id. */
static void refusals_keep_the_header(void **state)
{
	struct fixture *f = *state;
	const struct gt_test_val v[] = {{"KK_LP", "202501", "53.71", "", "3", 1, 0}};
	const struct gt_test_val many[5] = {v[0], v[0], v[0], v[0], v[0]};
	const struct gt_test_val other[] = {{"KK_LP", "202501", "53.72", "", "3", 1, 0}};
	struct gt_test_built b, big, foreign;
	struct gt_ingest_checked c;
	uint8_t sig[64];

	gt_test_build(&b, f->key_id, "53.71", 9, 0, v, 1, NULL, 0, NULL, 0);
	sign(f, &b, sig);
	struct gt_ingest_req rq = req_for(f, &b, sig, 63);
	assert_int_equal(gt_ingest_check(&rq, &c), GT_EBADSIG);
	assert_non_null(strstr(c.why, "64 bytes"));
	assert_int_equal(c.sequence, 9);
	assert_memory_equal(c.batch_id, b.dec->batch_id.data, GT_BATCH_ID_LEN);
	assert_null(c.batch);
	gt_ingest_checked_free(&c);
	sig[0] ^= 1;
	rq = req_for(f, &b, sig, 64);
	assert_int_equal(gt_ingest_check(&rq, &c), GT_EBADSIG);
	assert_int_equal(c.sequence, 9);
	gt_ingest_checked_free(&c);

	/* Over the value limit: refused as too big, still named. */
	gt_test_build(&big, f->key_id, "53.71", 10, 0, many, 5, NULL, 0, NULL, 0);
	sign(f, &big, sig);
	rq = req_for(f, &big, sig, 64);
	assert_int_equal(gt_ingest_check(&rq, &c), GT_ETOOBIG);
	assert_int_equal(c.sequence, 10);
	gt_ingest_checked_free(&c);

	/* Outside the key's authority. */
	gt_test_build(&foreign, f->key_id, "53.71", 11, 0, other, 1, NULL, 0, NULL, 0);
	sign(f, &foreign, sig);
	rq = req_for(f, &foreign, sig, 64);
	assert_int_equal(gt_ingest_check(&rq, &c), GT_EPERM);
	assert_non_null(strstr(c.why, "own org unit"));
	assert_int_equal(c.sequence, 11);
	gt_ingest_checked_free(&c);

	/* Bytes that are no batch: no header to give. */
	uint8_t junk[] = {0xff, 0xff, 0xff};
	rq.bytes = junk;
	rq.len = sizeof(junk);
	assert_int_equal(gt_key_sign(f->key, junk, sizeof(junk), sig), 0);
	assert_int_equal(gt_ingest_check(&rq, &c), GT_EINVAL);
	assert_int_equal(c.batch_id_len, 0);
	gt_ingest_checked_free(&c);
	gt_test_unbuild(&b);
	gt_test_unbuild(&big);
	gt_test_unbuild(&foreign);
}

/* A revision the store cannot keep is malformed. */
static void revision_range(void **state)
{
	struct fixture *f = *state;
	const struct gt_test_val v[] = {
	    {"KK_LP", "202501", "53.71", "", "3", (uint64_t)INT64_MAX + 1, 0}};
	struct gt_test_built b;
	struct gt_ingest_checked c;
	uint8_t sig[64];

	gt_test_build(&b, f->key_id, "53.71", 1, 0, v, 1, NULL, 0, NULL, 0);
	sign(f, &b, sig);
	struct gt_ingest_req rq = req_for(f, &b, sig, 64);
	assert_int_equal(gt_ingest_check(&rq, &c), GT_EINVAL);
	assert_non_null(strstr(c.why, "revision"));
	gt_ingest_checked_free(&c);
	gt_test_unbuild(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(accepted_with_verdicts, setup, teardown),
	    cmocka_unit_test_setup_teardown(refusals_keep_the_header, setup, teardown),
	    cmocka_unit_test_setup_teardown(revision_range, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
