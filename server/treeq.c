/* Transparency-log requests: signed tree heads and proofs, read from one snapshot off the loop. */
#include "treeq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "error.h"
#include "i18n.h"
#include "logleaf.h"
#include "orgunit.h"
#include "privacy.h"
#include "readpool.h"
#include "reply.h"
#include "server_int.h"
#include "store.h"
#include "store_ops.h"
#include "treehead.h"

/* One inclusion proof found. */
struct found {
	uint64_t leaf;
	const uint8_t *batch_hash; /* borrowed from the request, or NULL */
	uint8_t path[GT_MERKLE_MAX_PROOF][GT_MERKLE_HASH_LEN];
	size_t n;
	uint8_t *entry;
	size_t entry_len;
};

struct treeq_job {
	uv_work_t req;
	struct gt__reply *r;
	struct gt_readpool *readers;
	const struct gt_key *signing_key;
	gt_envelope *env;
	char scope[GT_ORGUNIT_MAX_LEN]; /* the asking key's org unit: its subtree is readable */
	int in_scope;                   /* the leaf check_scope() looks at is readable */
	int64_t now_ms;
	int rc;
	const char *why;
	/* Results */
	struct gt_treehead head;
	uint8_t consistency[GT_MERKLE_MAX_PROOF][GT_MERKLE_HASH_LEN];
	size_t n_consistency;
	struct found *found;
	size_t n_found;
};

/* The head of the tree of size leaves (0: the current tree), signed. */
static int head_of(struct treeq_job *j, struct gt_store *st, uint64_t size)
{
	uint64_t have = 0;
	int rc = gt_store_tree_size(st, &have);

	if (rc != GT_OK)
		return rc;
	if (size > have) {
		j->why = N_("the transparency log is not that large");
		return GT_EINVAL;
	}
	j->head.size = size != 0 ? size : have;
	rc = gt_store_tree_root(st, j->head.size, j->head.root);
	if (rc != GT_OK)
		return rc;
	j->head.timestamp_ms = j->now_ms;
	return gt_treehead_sign(j->signing_key, &j->head);
}

/* Notes whether a logged batch's unit is in the asking key's subtree. */
static int on_logged(void *arg, const struct gt_store_log_entry *e)
{
	struct treeq_job *j = arg;

	j->in_scope = e->org_unit != NULL && gt_orgunit_contains(j->scope, e->org_unit) == 1;
	return 0;
}

/* An inclusion proof tells a leaf's entry (a batch's hash and signature, which confirm a guess
 * of its values, or a key record): it is given only for leaves of the key's subtree, a batch
 * of one of its units (also one kept without its bytes) or the record of one of its units'
 * keys. The leaf is asked by batch_hash, or by index (batch_hash NULL). A batch asked by hash
 * outside the scope is answered like one not in the log, so that the answer does not confirm a
 * guessed batch either. */
static int check_scope(struct treeq_job *j, struct gt_store *st, uint64_t leaf,
                       const uint8_t *batch_hash)
{
	struct gt_logleaf_keyinfo k;
	uint8_t *entry = NULL;
	size_t len = 0;
	int rc;

	j->in_scope = 0;
	if (batch_hash != NULL) {
		rc = gt_store_log_find(st, batch_hash, on_logged, j);
	} else if ((rc = gt_store_tree_entry(st, leaf, &entry, &len)) == GT_OK) {
		if (len > 0 && entry[0] == GT_LOGLEAF_KEY)
			j->in_scope = gt_logleaf_key_parse(entry, len, &k) == GT_OK &&
			              gt_orgunit_contains(j->scope, k.org_unit) == 1;
		else if (len >= 1 + GT_SHA256_LEN && gt_logleaf_is_batch(entry[0]))
			rc = gt_store_log_find(st, entry + 1, on_logged, j);
		free(entry);
	}
	if (rc != GT_OK && rc != GT_ENOENT)
		return rc;
	if (j->in_scope)
		return GT_OK;
	if (batch_hash != NULL) {
		j->why = N_("no such batch in the log within the key's scope");
		return GT_ENOENT;
	}
	j->why = N_("that leaf is outside the key's scope");
	return GT_EPERM;
}

static int add_inclusion(struct treeq_job *j, struct gt_store *st, uint64_t leaf,
                         const uint8_t *batch_hash)
{
	struct found *f = &j->found[j->n_found];
	int rc;

	/* A batch asked by hash is checked against the scope first: else a smaller tree's
	 * answer would tell an outside key that the batch is logged. */
	if (batch_hash != NULL && (rc = check_scope(j, st, leaf, batch_hash)) != GT_OK)
		return rc;
	if (leaf >= j->head.size) {
		j->why = N_("that leaf is not in the tree asked about");
		return GT_ENOENT;
	}
	if (batch_hash == NULL && (rc = check_scope(j, st, leaf, NULL)) != GT_OK)
		return rc;
	f->leaf = leaf;
	f->batch_hash = batch_hash;
	rc = gt_store_tree_inclusion(st, leaf, j->head.size, f->path, &f->n);
	if (rc == GT_OK)
		rc = gt_store_tree_entry(st, leaf, &f->entry, &f->entry_len);
	if (rc == GT_OK)
		j->n_found++;
	return rc;
}

static int do_proofs(struct treeq_job *j, struct gt_store *st)
{
	const Gtsync__V1__ProofRequest *p = j->env->proof_request;
	size_t want = p->n_leaf_indexes + p->n_batch_hashes;
	int rc;

	if (want > GT_TREEQ_MAX_INCLUSIONS) {
		j->why = N_("too many inclusion proofs in one request (at most 256)");
		return GT_ETOOBIG;
	}
	if ((rc = head_of(j, st, p->tree_size)) != GT_OK)
		return rc;
	if (p->old_size > j->head.size) {
		j->why = N_("the old tree is larger than the new one");
		return GT_EINVAL;
	}
	if (p->old_size != 0) {
		rc = gt_store_tree_consistency(st, p->old_size, j->head.size, j->consistency,
		                               &j->n_consistency);
		if (rc != GT_OK)
			return rc;
	}
	j->found = calloc(want + 1, sizeof(*j->found));
	if (j->found == NULL)
		return GT_ENOMEM;
	for (size_t i = 0; i < p->n_leaf_indexes && rc == GT_OK; i++)
		rc = add_inclusion(j, st, p->leaf_indexes[i], NULL);
	for (size_t i = 0; i < p->n_batch_hashes && rc == GT_OK; i++) {
		const ProtobufCBinaryData *h = &p->batch_hashes[i];
		uint64_t log_index = 0, leaf = 0;

		if (h->len != GT_SHA256_LEN) {
			j->why = N_("a batch hash is 32 bytes");
			return GT_EINVAL;
		}
		rc = gt_store_log_lookup(st, h->data, &log_index);
		if (rc == GT_OK && log_index == 0) {
			j->why = N_("no such batch in the log within the key's scope");
			return GT_ENOENT;
		}
		if (rc == GT_OK)
			rc = gt_store_tree_leaf_of(st, log_index, &leaf);
		if (rc == GT_OK)
			rc = add_inclusion(j, st, leaf, h->data);
	}
	return rc;
}

static void work_cb(uv_work_t *req)
{
	struct treeq_job *j = req->data;
	struct gt_store *st = NULL;

	if ((j->rc = gt_readpool_get(j->readers, &st)) != GT_OK) {
		j->why = N_("the store could not be opened for reading");
		return;
	}
	/* Every size, node and entry of one reply from one snapshot. */
	j->rc = gt_store_snapshot_begin(st);
	if (j->rc == GT_OK) {
		if (j->env->body_case == GTSYNC__V1__ENVELOPE__BODY_TREE_HEAD_REQUEST)
			j->rc = head_of(j, st, j->env->tree_head_request->tree_size);
		else
			j->rc = do_proofs(j, st);
		gt_store_snapshot_end(st);
	}
	if (j->rc != GT_OK && j->why == NULL)
		j->why = N_("the transparency log could not be read");
	gt_readpool_put(j->readers, st);
}

static void fill_head(Gtsync__V1__TreeHead *th, struct gt_treehead *h)
{
	gtsync__v1__tree_head__init(th);
	th->tree_size = h->size;
	th->root_hash.data = h->root;
	th->root_hash.len = sizeof(h->root);
	th->timestamp_ms = h->timestamp_ms;
	th->signature.data = h->signature;
	th->signature.len = sizeof(h->signature);
}

static void reply_proofs(struct treeq_job *j, Gtsync__V1__Envelope *env,
                         Gtsync__V1__ProofReply *rep)
{
	Gtsync__V1__InclusionProof *inc = calloc(j->n_found + 1, sizeof(*inc));
	Gtsync__V1__InclusionProof **incp = calloc(j->n_found + 1, sizeof(*incp));
	ProtobufCBinaryData *cons = calloc(j->n_consistency + 1, sizeof(*cons));
	ProtobufCBinaryData *paths = NULL;
	size_t n_paths = 0;

	for (size_t i = 0; i < j->n_found; i++)
		n_paths += j->found[i].n;
	paths = calloc(n_paths + 1, sizeof(*paths));
	if (inc == NULL || incp == NULL || cons == NULL || paths == NULL) {
		gt__reply_fail(j->r, env->request_id, GT_ENOMEM, NULL, 0);
		goto out;
	}
	for (size_t i = 0; i < j->n_consistency; i++) {
		cons[i].data = j->consistency[i];
		cons[i].len = GT_MERKLE_HASH_LEN;
	}
	rep->consistency = cons;
	rep->n_consistency = j->n_consistency;
	n_paths = 0;
	for (size_t i = 0; i < j->n_found; i++) {
		struct found *f = &j->found[i];

		gtsync__v1__inclusion_proof__init(&inc[i]);
		inc[i].leaf_index = f->leaf;
		if (f->batch_hash != NULL) {
			inc[i].batch_hash.data = (uint8_t *)f->batch_hash;
			inc[i].batch_hash.len = GT_SHA256_LEN;
		}
		inc[i].path = &paths[n_paths];
		inc[i].n_path = f->n;
		for (size_t k = 0; k < f->n; k++) {
			paths[n_paths].data = f->path[k];
			paths[n_paths].len = GT_MERKLE_HASH_LEN;
			n_paths++;
		}
		inc[i].leaf_entry.data = f->entry;
		inc[i].leaf_entry.len = f->entry_len;
		incp[i] = &inc[i];
	}
	rep->inclusions = incp;
	rep->n_inclusions = j->n_found;
	env->body_case = GTSYNC__V1__ENVELOPE__BODY_PROOF_REPLY;
	env->proof_reply = rep;
	gt__reply_send(j->r, env);
out:
	free(inc);
	free(incp);
	free(cons);
	free(paths);
}

static void after_cb(uv_work_t *req, int status)
{
	struct treeq_job *j = req->data;
	struct gt__reply *r = j->r;
	Gtsync__V1__Envelope env = GTSYNC__V1__ENVELOPE__INIT;
	Gtsync__V1__TreeHead th;
	Gtsync__V1__ProofReply rep = GTSYNC__V1__PROOF_REPLY__INIT;

	env.request_id = j->env->request_id;
	if (gt__reply_failed(r, env.request_id, status, j->rc, j->why)) {
		/* Answered. */
	} else if (j->env->body_case == GTSYNC__V1__ENVELOPE__BODY_TREE_HEAD_REQUEST) {
		fill_head(&th, &j->head);
		env.body_case = GTSYNC__V1__ENVELOPE__BODY_TREE_HEAD;
		env.tree_head = &th;
		gt__reply_send(r, &env);
	} else {
		fill_head(&th, &j->head);
		rep.head = &th;
		reply_proofs(j, &env, &rep);
	}
	for (size_t i = 0; i < j->n_found; i++)
		free(j->found[i].entry);
	free(j->found);
	gt_wire_envelope_free(j->env);
	free(j);
	gt__reply_end(r);
}

void gt__treeq_submit(struct gt__reply *r, gt_envelope *env)
{
	struct treeq_job *j = gt__reply_job(r, env, sizeof(*j));

	if (j == NULL)
		return;
	if (env->body_case == GTSYNC__V1__ENVELOPE__BODY_PROOF_REQUEST &&
	    env->proof_request->n_leaf_indexes + env->proof_request->n_batch_hashes > 0 &&
	    gt_privacy_reader_only(r->roles)) {
		free(j);
		gt__reply_refuse(r, env, GT_EPERM,
		                 "a reader key gets tree heads and consistency proofs only: no "
		                 "inclusion proofs, whose leaves tell the units' batches");
		return;
	}
	j->req.data = j;
	j->r = r;
	j->env = env;
	j->readers = r->srv->readers;
	j->signing_key = r->srv->signing_key;
	snprintf(j->scope, sizeof(j->scope), "%s", r->org_unit);
	j->now_ms = gt_clock_wall_ms();
	if (gt__reply_queue(r, &j->req, work_cb, after_cb) != GT_OK) {
		free(j);
		gt__reply_refuse(r, env, GT_EBUSY, NULL);
	}
}
