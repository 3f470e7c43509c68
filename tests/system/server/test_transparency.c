/* Integration tests for the transparency log (issue 14): the real server on 127.0.0.1 signs
 * tree heads with its signing key, acks name the tree that holds each batch, and its
 * inclusion and consistency proofs check out with common/merkle.c, over the wire. */
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
#include "error.h"
#include "key.h"
#include "logleaf.h"
#include "merkle.h"
#include "session.h"
#include "testserver.h"
#include "testutil.h"
#include "treehead.h"
#include "wire.h"

struct fx {
	struct gt_testserver ts;
	struct gt_key *op; /* operator of 53.71 */
	uint8_t server_pub[GT_ED25519_PUB_LEN];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	signal(SIGPIPE, SIG_IGN);
	gt_testserver_setup(&f->ts);
	f->op = gt_testserver_key(&f->ts, "53.71", "operator");
	gt_testserver_signing_pub(&f->ts, f->server_pub);
	gt_testserver_start(&f->ts, NULL);
	gt_testserver_open_late(&f->ts, "53.71", "2024");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	gt_testserver_teardown(&f->ts);
	gt_key_free(f->op);
	free(f);
	return 0;
}

/* Pushes batch seq (one value of KK_KORBAN) and returns the ack's tree size; *hash is the
 * batch's SHA-256 and sig its signature. */
static uint64_t push_one(struct gt_session *s, const struct gt_key *k, uint64_t seq,
                         uint8_t hash[GT_SHA256_LEN], uint8_t sig[GT_ED25519_SIG_LEN])
{
	struct gt_test_signed sb;
	char val[16];
	uint64_t size;

	snprintf(val, sizeof(val), "%llu", (unsigned long long)seq);
	size = gt_test_push_value(s, k, "53.71", seq, "202401", val, &sb);
	assert_int_equal(gt_crypto_sha256(sb.bytes, sb.len, hash), 0);
	memcpy(sig, sb.sig, GT_ED25519_SIG_LEN);
	free(sb.bytes);
	return size;
}

static void head_from(const Gtsync__V1__TreeHead *th, struct gt_treehead *h)
{
	assert_int_equal(th->root_hash.len, GT_MERKLE_HASH_LEN);
	assert_int_equal(th->signature.len, GT_ED25519_SIG_LEN);
	h->size = th->tree_size;
	memcpy(h->root, th->root_hash.data, GT_MERKLE_HASH_LEN);
	h->timestamp_ms = th->timestamp_ms;
	memcpy(h->signature, th->signature.data, GT_ED25519_SIG_LEN);
}

static gt_envelope *call(struct gt_session *s, gt_envelope *env)
{
	gt_envelope *reply = NULL;
	struct gt_session_err err;

	assert_int_equal(gt_session_call(s, env, &reply, &err), 0);
	return reply;
}

static void head(struct gt_session *s, uint64_t size, struct gt_treehead *h)
{
	gt_envelope env = GTSYNC__V1__ENVELOPE__INIT, *reply;
	Gtsync__V1__TreeHeadRequest rq = GTSYNC__V1__TREE_HEAD_REQUEST__INIT;

	rq.tree_size = size;
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_TREE_HEAD_REQUEST;
	env.tree_head_request = &rq;
	reply = call(s, &env);
	assert_int_equal(reply->body_case, GTSYNC__V1__ENVELOPE__BODY_TREE_HEAD);
	head_from(reply->tree_head, h);
	gt_wire_envelope_free(reply);
}

/* Asks s for the inclusion proof of leaf (hash NULL) or of the batch of SHA-256 hash, in the
 * current tree; the reply (a ProofReply or an Error) is the caller's. */
static gt_envelope *prove(struct gt_session *s, uint64_t leaf, const uint8_t *hash)
{
	gt_envelope env = GTSYNC__V1__ENVELOPE__INIT;
	Gtsync__V1__ProofRequest rq = GTSYNC__V1__PROOF_REQUEST__INIT;
	ProtobufCBinaryData bh = {GT_SHA256_LEN, (uint8_t *)hash};

	if (hash != NULL) {
		rq.batch_hashes = &bh;
		rq.n_batch_hashes = 1;
	} else {
		rq.leaf_indexes = &leaf;
		rq.n_leaf_indexes = 1;
	}
	env.body_case = GTSYNC__V1__ENVELOPE__BODY_PROOF_REQUEST;
	env.proof_request = &rq;
	return call(s, &env);
}

/* Expects reply to be an Error with code; frees it. */
static void refused_with(gt_envelope *reply, int code)
{
	assert_int_equal(reply->body_case, GTSYNC__V1__ENVELOPE__BODY_ERROR);
	assert_int_equal(reply->error->code, code);
	gt_wire_envelope_free(reply);
}

/* Expects reply to be a ProofReply proving leaf; frees it. */
static void proven(gt_envelope *reply, uint64_t leaf)
{
	assert_int_equal(reply->body_case, GTSYNC__V1__ENVELOPE__BODY_PROOF_REPLY);
	assert_int_equal(reply->proof_reply->n_inclusions, 1);
	assert_int_equal(reply->proof_reply->inclusions[0]->leaf_index, leaf);
	assert_true(reply->proof_reply->inclusions[0]->leaf_entry.len > 0);
	gt_wire_envelope_free(reply);
}

/* issue 14: an inclusion proof carries the leaf's entry (a batch's hash and signature, which
 * confirm a guess of its values): a reader key gets none, and a key outside the batch's unit's
 * scope is refused, by leaf, and by hash answered as if the batch were not logged; the unit's
 * province is served. Tree heads and consistency proofs are for every key. */
static void inclusion_proofs_keep_to_the_scope(void **state)
{
	struct fx *f = *state;
	struct gt_key *other = gt_testserver_key(&f->ts, "53.72", "operator");
	struct gt_key *prov = gt_testserver_key(&f->ts, "53", "aggregator");
	struct gt_key *reader = gt_testserver_key(&f->ts, "53", "reader");
	struct gt_session *s = gt_testserver_session(&f->ts, f->op, NULL);
	struct gt_session *so = gt_testserver_session(&f->ts, other, NULL);
	struct gt_session *sp = gt_testserver_session(&f->ts, prov, NULL);
	struct gt_session *sr = gt_testserver_session(&f->ts, reader, NULL);
	uint8_t hash[GT_SHA256_LEN], sig[GT_ED25519_SIG_LEN];
	struct gt_treehead h;

	assert_non_null(s);
	assert_non_null(so);
	assert_non_null(sp);
	assert_non_null(sr);
	uint64_t leaf = push_one(s, f->op, 1, hash, sig) - 1;

	proven(prove(s, leaf, NULL), leaf);
	proven(prove(s, 0, hash), leaf);
	proven(prove(sp, leaf, NULL), leaf);
	proven(prove(sp, 0, hash), leaf);
	refused_with(prove(so, leaf, NULL), GT_EPERM);
	refused_with(prove(so, 0, hash), GT_ENOENT);
	/* Against a tree too small to hold it, the outside key learns no more. */
	{
		gt_envelope env = GTSYNC__V1__ENVELOPE__INIT, *reply;
		Gtsync__V1__ProofRequest rq = GTSYNC__V1__PROOF_REQUEST__INIT;
		uint8_t unknown[GT_SHA256_LEN] = {9, 9, 9};
		ProtobufCBinaryData bh = {GT_SHA256_LEN, hash};
		char logged[256], unlogged[256];

		rq.tree_size = 1;
		rq.batch_hashes = &bh;
		rq.n_batch_hashes = 1;
		env.body_case = GTSYNC__V1__ENVELOPE__BODY_PROOF_REQUEST;
		env.proof_request = &rq;
		for (int i = 0; i < 2; i++) {
			bh.data = i == 0 ? hash : unknown;
			reply = call(so, &env);
			assert_int_equal(reply->body_case, GTSYNC__V1__ENVELOPE__BODY_ERROR);
			assert_int_equal(reply->error->code, GT_ENOENT);
			snprintf(i == 0 ? logged : unlogged, sizeof(logged), "%s",
			         reply->error->message);
			gt_wire_envelope_free(reply);
		}
		assert_string_equal(logged, unlogged);
	}
	refused_with(prove(sr, leaf, NULL), GT_EPERM);
	refused_with(prove(sr, 0, hash), GT_EPERM);
	for (int i = 0; i < 2; i++) {
		struct gt_session *who = i == 0 ? so : sr;
		gt_envelope env = GTSYNC__V1__ENVELOPE__INIT, *reply;
		Gtsync__V1__ProofRequest rq = GTSYNC__V1__PROOF_REQUEST__INIT;

		/* Heads and consistency proofs only: served to every key. */
		head(who, 0, &h);
		assert_int_equal(gt_treehead_verify(f->server_pub, &h), 0);
		rq.old_size = 1;
		env.body_case = GTSYNC__V1__ENVELOPE__BODY_PROOF_REQUEST;
		env.proof_request = &rq;
		reply = call(who, &env);
		assert_int_equal(reply->body_case, GTSYNC__V1__ENVELOPE__BODY_PROOF_REPLY);
		assert_int_equal(reply->proof_reply->n_inclusions, 0);
		gt_wire_envelope_free(reply);
	}
	gt_session_close(s);
	gt_session_close(so);
	gt_session_close(sp);
	gt_session_close(sr);
	gt_key_free(other);
	gt_key_free(prov);
	gt_key_free(reader);
}

static void heads_acks_and_proofs(void **state)
{
	struct fx *f = *state;
	struct gt_session *s = gt_testserver_session(&f->ts, f->op, NULL);
	uint8_t hash[6][GT_SHA256_LEN], sig[6][GT_ED25519_SIG_LEN];
	struct gt_treehead h3, h6, past;
	uint64_t sizes[6];

	assert_non_null(s);
	/* Three batches, then a signed head of the tree that holds them. */
	for (int i = 0; i < 3; i++)
		sizes[i] = push_one(s, f->op, (uint64_t)i + 1, hash[i], sig[i]);
	head(s, 0, &h3);
	assert_int_equal(gt_treehead_verify(f->server_pub, &h3), 0);
	/* Each ack names a growing tree that holds the batch; the head covers them all. */
	assert_true(sizes[0] >= 1 && sizes[1] == sizes[0] + 1 && sizes[2] == sizes[1] + 1);
	assert_int_equal(h3.size, sizes[2]);
	/* A head changed in any field no longer verifies. */
	h3.size++;
	assert_int_equal(gt_treehead_verify(f->server_pub, &h3), GT_EBADSIG);
	h3.size--;
	h3.timestamp_ms++;
	assert_int_equal(gt_treehead_verify(f->server_pub, &h3), GT_EBADSIG);
	h3.timestamp_ms--;
	for (int i = 3; i < 6; i++)
		sizes[i] = push_one(s, f->op, (uint64_t)i + 1, hash[i], sig[i]);

	/* Proofs against the current tree: consistency from the head held, inclusion of each
	 * batch by its hash, the leaf entry being the batch's. */
	{
		gt_envelope env = GTSYNC__V1__ENVELOPE__INIT, *reply;
		Gtsync__V1__ProofRequest rq = GTSYNC__V1__PROOF_REQUEST__INIT;
		ProtobufCBinaryData bh[6];
		const Gtsync__V1__ProofReply *pr;
		uint8_t cons[GT_MERKLE_MAX_PROOF][GT_MERKLE_HASH_LEN];

		for (int i = 0; i < 6; i++) {
			bh[i].data = hash[i];
			bh[i].len = GT_SHA256_LEN;
		}
		rq.old_size = h3.size;
		rq.batch_hashes = bh;
		rq.n_batch_hashes = 6;
		env.body_case = GTSYNC__V1__ENVELOPE__BODY_PROOF_REQUEST;
		env.proof_request = &rq;
		reply = call(s, &env);
		assert_int_equal(reply->body_case, GTSYNC__V1__ENVELOPE__BODY_PROOF_REPLY);
		pr = reply->proof_reply;
		head_from(pr->head, &h6);
		assert_int_equal(gt_treehead_verify(f->server_pub, &h6), 0);
		assert_int_equal(h6.size, sizes[5]);
		assert_true(pr->n_consistency <= GT_MERKLE_MAX_PROOF);
		for (size_t i = 0; i < pr->n_consistency; i++) {
			assert_int_equal(pr->consistency[i].len, GT_MERKLE_HASH_LEN);
			memcpy(cons[i], pr->consistency[i].data, GT_MERKLE_HASH_LEN);
		}
		assert_int_equal(gt_merkle_consistency_verify(h3.size, h6.size, h3.root, h6.root,
		                                              (const uint8_t(*)[32])cons,
		                                              pr->n_consistency),
		                 0);
		/* The old head with another root is not consistent with the new one. */
		h3.root[0] ^= 1;
		assert_int_equal(gt_merkle_consistency_verify(h3.size, h6.size, h3.root, h6.root,
		                                              (const uint8_t(*)[32])cons,
		                                              pr->n_consistency),
		                 GT_EBADSIG);
		h3.root[0] ^= 1;
		assert_int_equal(pr->n_inclusions, 6);
		for (int i = 0; i < 6; i++) {
			const Gtsync__V1__InclusionProof *ip = pr->inclusions[i];
			uint8_t path[GT_MERKLE_MAX_PROOF][GT_MERKLE_HASH_LEN],
			    leaf[GT_MERKLE_HASH_LEN];
			uint8_t want[GT_LOGLEAF_BATCH_MAX];
			struct gt_logleaf_batchinfo bi;
			size_t want_len;

			assert_int_equal(ip->leaf_index + 1, sizes[i]);
			/* A kind 3 entry: the batch's hash, when it was received, its signature. */
			assert_int_equal(
			    gt_logleaf_batch_parse(ip->leaf_entry.data, ip->leaf_entry.len, &bi),
			    0);
			assert_int_equal(bi.kind, GT_LOGLEAF_TIMED);
			assert_true(bi.received_at_ms > 0);
			assert_int_equal(gt_logleaf_batch(hash[i], &bi.received_at_ms, sig[i],
			                                  GT_ED25519_SIG_LEN, want, &want_len),
			                 0);
			assert_int_equal(ip->leaf_entry.len, want_len);
			assert_memory_equal(ip->leaf_entry.data, want, want_len);
			assert_int_equal(
			    gt_merkle_leaf_hash(ip->leaf_entry.data, ip->leaf_entry.len, leaf), 0);
			for (size_t k = 0; k < ip->n_path; k++)
				memcpy(path[k], ip->path[k].data, GT_MERKLE_HASH_LEN);
			assert_int_equal(gt_merkle_inclusion_verify(ip->leaf_index, h6.size, leaf,
			                                            (const uint8_t(*)[32])path,
			                                            ip->n_path, h6.root),
			                 0);
		}
		gt_wire_envelope_free(reply);
	}
	/* The keys the centre registered are records of the log, signed with its key: ask for
	 * every leaf before the first batch, one at a time. The operator's own key record is
	 * proven; the secretariat's, outside the operator's scope, is refused. */
	{
		size_t n = sizes[0] - 1, keys = 0, refused = 0;

		assert_true(n >= 2 && n <= 64);
		for (size_t i = 0; i < n; i++) {
			gt_envelope *reply = prove(s, i, NULL);

			if (reply->body_case == GTSYNC__V1__ENVELOPE__BODY_ERROR) {
				assert_int_equal(reply->error->code, GT_EPERM);
				refused++;
				gt_wire_envelope_free(reply);
				continue;
			}
			assert_int_equal(reply->body_case, GTSYNC__V1__ENVELOPE__BODY_PROOF_REPLY);
			const ProtobufCBinaryData *e =
			    &reply->proof_reply->inclusions[0]->leaf_entry;
			struct gt_logleaf_keyinfo k;

			assert_true(e->len > 0 && e->data[0] == GT_LOGLEAF_KEY);
			assert_int_equal(gt_logleaf_key_verify(e->data, e->len, f->server_pub), 0);
			assert_int_equal(gt_logleaf_key_parse(e->data, e->len, &k), 0);
			assert_string_equal(k.org_unit, "53.71");
			keys++;
			gt_wire_envelope_free(reply);
		}
		/* The operator's key, and the secretariat key that opened late entry. */
		assert_true(keys >= 1);
		assert_true(refused >= 1);
	}
	/* A past tree's head is the same root, signed now. */
	head(s, h3.size, &past);
	assert_int_equal(gt_treehead_verify(f->server_pub, &past), 0);
	assert_memory_equal(past.root, h3.root, GT_MERKLE_HASH_LEN);
	/* A tree larger than the log, or an unknown batch, is an error, not a proof. */
	{
		gt_envelope env = GTSYNC__V1__ENVELOPE__INIT, *reply;
		Gtsync__V1__TreeHeadRequest rq = GTSYNC__V1__TREE_HEAD_REQUEST__INIT;
		Gtsync__V1__ProofRequest pq = GTSYNC__V1__PROOF_REQUEST__INIT;
		uint8_t unknown[GT_SHA256_LEN] = {1, 2, 3};
		ProtobufCBinaryData bh = {GT_SHA256_LEN, unknown};

		rq.tree_size = h6.size + 100;
		env.body_case = GTSYNC__V1__ENVELOPE__BODY_TREE_HEAD_REQUEST;
		env.tree_head_request = &rq;
		reply = call(s, &env);
		assert_int_equal(reply->body_case, GTSYNC__V1__ENVELOPE__BODY_ERROR);
		assert_int_equal(reply->error->code, GT_EINVAL);
		gt_wire_envelope_free(reply);
		pq.batch_hashes = &bh;
		pq.n_batch_hashes = 1;
		env.body_case = GTSYNC__V1__ENVELOPE__BODY_PROOF_REQUEST;
		env.proof_request = &pq;
		reply = call(s, &env);
		assert_int_equal(reply->body_case, GTSYNC__V1__ENVELOPE__BODY_ERROR);
		assert_int_equal(reply->error->code, GT_ENOENT);
		gt_wire_envelope_free(reply);
	}
	gt_session_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(heads_acks_and_proofs, setup, teardown),
	    cmocka_unit_test_setup_teardown(inclusion_proofs_keep_to_the_scope, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
