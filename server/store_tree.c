/* Store: the transparency log, an RFC 9162 Merkle tree over the logged entries, kept as the
 * hashes of its complete subtrees so that appending and every proof read O(log n) rows. */
#include "store_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "logleaf.h"

/* Most leaves the tree takes: node ids are leaf * 64 + level in a signed 64-bit integer. */
#define TREE_MAX_LEAVES ((uint64_t)1 << 56)

/* The id of node (level, index): the append of its last leaf created it. */
static sqlite3_int64 node_id(unsigned level, uint64_t index)
{
	return (sqlite3_int64)(((((index + 1) << level) - 1) << 6) | level);
}

static int node_get(void *arg, unsigned level, uint64_t index, uint8_t out[GT_MERKLE_HASH_LEN])
{
	struct gt_store *st = arg;
	sqlite3_stmt *s = gt__store_q(st, Q_TREE_NODE_GET);
	int rc;

	if (s == NULL)
		return GT_ESTORE;
	sqlite3_bind_int64(s, 1, node_id(level, index));
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(s, 0) == GT_MERKLE_HASH_LEN) {
		memcpy(out, sqlite3_column_blob(s, 0), GT_MERKLE_HASH_LEN);
		rc = 0;
	} else if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		rc = gt__store_err(st, GT_ECORRUPT, "tree node %u/%llu is missing", level,
		                   (unsigned long long)index);
	} else {
		rc = gt__store_sqlerr(st, rc, "reading a tree node");
	}
	sqlite3_reset(s);
	return rc;
}

/* A leaf being appended: what its row says besides its hash. */
struct leaf_row {
	struct gt_store *st;
	int kind;
	uint64_t log_index;
	const uint8_t *entry;
	size_t len;
};

static int node_put(void *arg, unsigned level, uint64_t index,
                    const uint8_t hash[GT_MERKLE_HASH_LEN])
{
	struct leaf_row *l = arg;
	sqlite3_stmt *s = gt__store_q(l->st, level == 0 ? Q_TREE_LEAF_INS : Q_TREE_NODE_PUT);

	if (s == NULL)
		return GT_ESTORE;
	sqlite3_bind_int64(s, 1, node_id(level, index));
	sqlite3_bind_blob(s, 2, hash, GT_MERKLE_HASH_LEN, SQLITE_STATIC);
	if (level == 0) {
		sqlite3_bind_int(s, 3, l->kind);
		if (l->log_index > 0)
			sqlite3_bind_int64(s, 4, (sqlite3_int64)l->log_index);
		if (l->entry != NULL)
			sqlite3_bind_blob64(s, 5, l->entry, l->len, SQLITE_STATIC);
	}
	return gt__store_run(l->st, s, "storing a tree node");
}

static int append_get(void *arg, unsigned level, uint64_t index, uint8_t out[GT_MERKLE_HASH_LEN])
{
	return node_get(((struct leaf_row *)arg)->st, level, index, out);
}

int gt_store_tree_size(struct gt_store *st, uint64_t *size)
{
	return gt__store_count(st, Q_TREE_SIZE, "reading the tree size", size);
}

int gt__store_tree_append(struct gt_store *st, uint64_t size, int kind, uint64_t log_index,
                          const uint8_t *entry, size_t len,
                          const uint8_t leaf_hash[GT_MERKLE_HASH_LEN])
{
	struct leaf_row l = {st, kind, log_index, entry, len};
	int rc;

	if (size >= TREE_MAX_LEAVES)
		return gt__store_err(st, GT_ETOOBIG, "the transparency log is full");
	rc = gt_merkle_append(size, leaf_hash, append_get, node_put, &l);
	if (rc != 0 && rc != GT_ESTORE && rc != GT_ECORRUPT && rc != GT_EEXIST)
		gt__store_err(st, rc, "appending to the transparency log: %s", gt_strerror(rc));
	return rc;
}

int gt__store_tree_append_batch(struct gt_store *st, uint64_t size, uint64_t log_index,
                                const uint8_t hash[GT_SHA256_LEN], int64_t received_at_ms,
                                const uint8_t *sig, size_t sig_len)
{
	uint8_t leaf_hash[GT_MERKLE_HASH_LEN];
	int rc = gt_logleaf_batch_hash(hash, &received_at_ms, sig, sig_len, leaf_hash);

	if (rc != 0)
		return gt__store_err(st, rc, "hashing a batch's log entry");
	return gt__store_tree_append(st, size, GT_LOGLEAF_TIMED, log_index, NULL, 0, leaf_hash);
}

/* The receive time a batch leaf of kind covers: the logged one for kind 3, none for kind 1. */
static const int64_t *leaf_time(int kind, const int64_t *received_at_ms)
{
	return kind == GT_LOGLEAF_TIMED ? received_at_ms : NULL;
}

void gt_store_set_signer(struct gt_store *st, const struct gt_key *signer)
{
	gt_key_free(st->signer_owned);
	st->signer_owned = NULL;
	st->signer = signer;
}

void gt_store_take_signer(struct gt_store *st, struct gt_key *signer)
{
	gt_store_set_signer(st, signer);
	st->signer_owned = signer;
}

int gt__store_tree_append_key(struct gt_store *st, int action, const struct gt_store_key *k,
                              int64_t at_ms)
{
	struct gt_logleaf_keyrec r = {action,   k->key_id, k->public_key, k->org_unit,
	                              k->roles, at_ms,     k->label};
	uint8_t leaf_hash[GT_MERKLE_HASH_LEN], *entry = NULL;
	uint64_t size = 0;
	size_t len = 0;
	int rc = gt_logleaf_key(&r, st->signer, &entry, &len);

	if (rc != 0)
		return gt__store_err(st, rc, "writing a key record: %s", gt_strerror(rc));
	rc = gt_merkle_leaf_hash(entry, len, leaf_hash);
	if (rc == 0)
		rc = gt_store_tree_size(st, &size);
	if (rc == 0)
		rc = gt__store_tree_append(st, size, GT_LOGLEAF_KEY, 0, entry, len, leaf_hash);
	free(entry);
	return rc;
}

/* Appends a record of action for every key sql lists (its id and the action's time), in
 * that order: the keys a store held before its log had records. */
static int build_keys(struct gt_store *st, int action, const char *sql)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);

	if (rc != SQLITE_OK)
		return gt__store_sqlerr(st, rc, "reading the keys to log them");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct gt_store_key k;

		rc = gt_store_key_get(st, (const char *)sqlite3_column_text(s, 0), &k);
		if (rc == 0)
			rc = gt__store_tree_append_key(st, action, &k, sqlite3_column_int64(s, 1));
		if (rc != 0)
			break;
	}
	if (rc == SQLITE_DONE)
		rc = 0;
	else if (rc > 0)
		rc = gt__store_sqlerr(st, rc, "reading the keys to log them");
	sqlite3_finalize(s);
	return rc;
}

int gt__store_tree_build(struct gt_store *st)
{
	sqlite3_stmt *s = NULL, *set = NULL;
	uint64_t size = 0;
	int rc;

	/* The keys first, as registered; their revocations after the batches they signed. The
	 * records are unsigned: a migration runs before the signing key is at hand. */
	rc = build_keys(st, GTSYNC__V1__KEY_ACTION__KEY_REGISTERED,
	                "SELECT key_id, added_at_ms FROM keys ORDER BY added_at_ms, key_id");
	if (rc == 0)
		rc = gt_store_tree_size(st, &size);
	if (rc != 0)
		return rc;
	rc = sqlite3_prepare_v2(
	    st->db,
	    "SELECT log_index, batch_hash, signature, received_at_ms FROM batch_log "
	    "ORDER BY log_index",
	    -1, &s, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(
		    st->db, "UPDATE batch_log SET leaf = ?2 WHERE log_index = ?1", -1, &set, NULL);
	if (rc != SQLITE_OK) {
		rc = gt__store_sqlerr(st, rc, "reading the log to build its tree");
		goto out;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		sqlite3_int64 li = sqlite3_column_int64(s, 0);
		size_t sig_len = (size_t)sqlite3_column_bytes(s, 2);

		if (sqlite3_column_bytes(s, 1) != GT_SHA256_LEN || sig_len > GT_ED25519_SIG_LEN) {
			rc = gt__store_err(st, GT_ECORRUPT,
			                   "batch %lld has a malformed hash or signature",
			                   (long long)li);
			goto out;
		}
		rc = gt__store_tree_append_batch(st, size, (uint64_t)li, sqlite3_column_blob(s, 1),
		                                 sqlite3_column_int64(s, 3),
		                                 sqlite3_column_blob(s, 2), sig_len);
		if (rc != 0)
			goto out;
		sqlite3_bind_int64(set, 1, li);
		sqlite3_bind_int64(set, 2, (sqlite3_int64)size);
		if ((rc = gt__store_run(st, set, "recording a batch's leaf")) != 0)
			goto out;
		size++;
	}
	rc = rc == SQLITE_DONE ? 0 : gt__store_sqlerr(st, rc, "reading the log to build its tree");
	if (rc == 0)
		rc = build_keys(
		    st, GTSYNC__V1__KEY_ACTION__KEY_REVOKED,
		    "SELECT key_id, revoked_at_ms FROM keys WHERE revoked_at_ms IS NOT NULL "
		    "ORDER BY revoked_at_ms, key_id");
out:
	sqlite3_finalize(s);
	sqlite3_finalize(set);
	return rc;
}

/* Whether the stored tree has at least size leaves (GT_EINVAL saying so when not). */
static int tree_holds(struct gt_store *st, uint64_t size)
{
	uint64_t have;
	int rc = gt_store_tree_size(st, &have);

	if (rc == 0 && size > have)
		rc = gt__store_err(st, GT_EINVAL, "the tree has %llu leaves, not %llu",
		                   (unsigned long long)have, (unsigned long long)size);
	return rc;
}

int gt_store_tree_root(struct gt_store *st, uint64_t size, uint8_t root[GT_MERKLE_HASH_LEN])
{
	int own, rc = gt__store_read_begin(st, &own);

	if (rc != 0)
		return rc;
	rc = tree_holds(st, size);
	if (rc == 0)
		rc = gt_merkle_root(size, node_get, st, root);
	gt__store_read_end(st, own);
	return rc;
}

int gt_store_tree_head(struct gt_store *st, uint64_t *size, uint8_t root[GT_MERKLE_HASH_LEN])
{
	int own, rc = gt__store_read_begin(st, &own);

	*size = 0;
	if (rc != 0)
		return rc;
	rc = gt_store_tree_size(st, size);
	if (rc == 0)
		rc = gt_merkle_root(*size, node_get, st, root);
	gt__store_read_end(st, own);
	return rc;
}

int gt_store_tree_inclusion(struct gt_store *st, uint64_t leaf, uint64_t size,
                            uint8_t proof[GT_MERKLE_MAX_PROOF][GT_MERKLE_HASH_LEN], size_t *n)
{
	int own, rc;

	*n = 0;
	if (leaf >= size)
		return gt__store_err(st, GT_EINVAL, "leaf %llu is not in a tree of %llu",
		                     (unsigned long long)leaf, (unsigned long long)size);
	rc = gt__store_read_begin(st, &own);
	if (rc != 0)
		return rc;
	rc = tree_holds(st, size);
	if (rc == 0)
		rc = gt_merkle_inclusion_proof(leaf, size, node_get, st, proof, n);
	gt__store_read_end(st, own);
	return rc;
}

int gt_store_tree_consistency(struct gt_store *st, uint64_t old_size, uint64_t size,
                              uint8_t proof[GT_MERKLE_MAX_PROOF][GT_MERKLE_HASH_LEN], size_t *n)
{
	int own, rc;

	*n = 0;
	if (old_size > size)
		return gt__store_err(st, GT_EINVAL, "a tree of %llu does not extend one of %llu",
		                     (unsigned long long)size, (unsigned long long)old_size);
	rc = gt__store_read_begin(st, &own);
	if (rc != 0)
		return rc;
	rc = tree_holds(st, size);
	if (rc == 0)
		rc = gt_merkle_consistency_proof(old_size, size, node_get, st, proof, n);
	gt__store_read_end(st, own);
	return rc;
}

int gt_store_tree_leaf_of(struct gt_store *st, uint64_t log_index, uint64_t *leaf)
{
	sqlite3_stmt *s = gt__store_q(st, Q_TREE_LEAF_OF);
	int rc;

	*leaf = 0;
	if (s == NULL)
		return GT_ESTORE;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)log_index);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) == SQLITE_NULL)
		rc = SQLITE_DONE;
	if (rc == SQLITE_ROW)
		*leaf = (uint64_t)sqlite3_column_int64(s, 0);
	rc = rc == SQLITE_ROW    ? 0
	     : rc == SQLITE_DONE ? gt__store_err(st, GT_ENOENT, "batch %llu has no leaf",
	                                         (unsigned long long)log_index)
	                         : gt__store_sqlerr(st, rc, "finding a batch's leaf");
	sqlite3_reset(s);
	return rc;
}

int gt_store_tree_entry(struct gt_store *st, uint64_t leaf, uint8_t **entry, size_t *len)
{
	sqlite3_stmt *s = gt__store_q(st, Q_TREE_ENTRY);
	uint8_t *buf = NULL;
	size_t n = 0;
	int rc;

	*entry = NULL;
	*len = 0;
	if (s == NULL)
		return GT_ESTORE;
	if (leaf >= TREE_MAX_LEAVES)
		return gt__store_err(st, GT_ENOENT, "no leaf %llu", (unsigned long long)leaf);
	sqlite3_bind_int64(s, 1, node_id(0, leaf));
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		rc = gt__store_err(st, GT_ENOENT, "no leaf %llu", (unsigned long long)leaf);
	} else if (rc != SQLITE_ROW) {
		rc = gt__store_sqlerr(st, rc, "reading a leaf");
	} else if (!gt_logleaf_is_batch(sqlite3_column_int(s, 0))) {
		n = (size_t)sqlite3_column_bytes(s, 1);
		buf = malloc(n > 0 ? n : 1);
		rc = buf == NULL ? gt__store_err(st, GT_ENOMEM, "out of memory") : 0;
		if (rc == 0 && n > 0)
			memcpy(buf, sqlite3_column_blob(s, 1), n);
	} else if (sqlite3_column_bytes(s, 2) != GT_SHA256_LEN ||
	           sqlite3_column_bytes(s, 3) > (int)GT_ED25519_SIG_LEN) {
		rc = gt__store_err(st, GT_ECORRUPT, "leaf %llu names a batch the log lacks",
		                   (unsigned long long)leaf);
	} else {
		int64_t at = sqlite3_column_int64(s, 4);

		buf = malloc(GT_LOGLEAF_BATCH_MAX);
		rc = buf == NULL ? gt__store_err(st, GT_ENOMEM, "out of memory")
		                 : gt_logleaf_batch(sqlite3_column_blob(s, 2),
		                                    leaf_time(sqlite3_column_int(s, 0), &at),
		                                    sqlite3_column_blob(s, 3),
		                                    (size_t)sqlite3_column_bytes(s, 3), buf, &n);
	}
	sqlite3_reset(s);
	if (rc != 0) {
		free(buf);
		return rc;
	}
	*entry = buf;
	*len = n;
	return 0;
}

/* ---- Checking the tree against the log ------------------------------------------------ */

/* A recomputation of the tree from its leaves: the last left child of each level in memory, each
 * node compared with the stored one. */
struct recheck {
	struct gt_store *st;
	uint8_t edge[64][GT_MERKLE_HASH_LEN];
	struct gt_store_tree_check *out;
};

static int recheck_get(void *arg, unsigned level, uint64_t index, uint8_t out[GT_MERKLE_HASH_LEN])
{
	struct recheck *r = arg;
	(void)index;

	memcpy(out, r->edge[level], GT_MERKLE_HASH_LEN);
	return 0;
}

static int recheck_put(void *arg, unsigned level, uint64_t index,
                       const uint8_t hash[GT_MERKLE_HASH_LEN])
{
	struct recheck *r = arg;
	uint8_t stored[GT_MERKLE_HASH_LEN];
	int rc;

	/* Only a node of even index is ever a left sibling. */
	if ((index & 1) == 0)
		memcpy(r->edge[level], hash, GT_MERKLE_HASH_LEN);
	rc = node_get(r->st, level, index, stored);
	if (rc == GT_ECORRUPT || (rc == 0 && memcmp(stored, hash, GT_MERKLE_HASH_LEN) != 0)) {
		snprintf(r->out->why, sizeof(r->out->why),
		         "tree node %u/%llu %s what the log gives", level,
		         (unsigned long long)index, rc == 0 ? "differs from" : "is missing for");
		return GT_ECORRUPT;
	}
	return rc;
}

/* The leaf hash of one leaf row of the check's query (see gt_store_tree_check). */
static int recheck_leaf(struct recheck *r, sqlite3_stmt *s, uint64_t leaf,
                        uint8_t hash[GT_MERKLE_HASH_LEN])
{
	int kind = sqlite3_column_int(s, 1);
	int64_t at = sqlite3_column_int64(s, 7);
	size_t sig_len;

	if (!gt_logleaf_is_batch(kind)) {
		if (sqlite3_column_type(s, 3) != SQLITE_BLOB)
			goto bad;
		r->out->keys++;
		return gt_merkle_leaf_hash(sqlite3_column_blob(s, 3),
		                           (size_t)sqlite3_column_bytes(s, 3), hash);
	}
	if (sqlite3_column_type(s, 4) == SQLITE_NULL) {
		snprintf(r->out->why, sizeof(r->out->why),
		         "leaf %llu names batch %lld, which is not in the log",
		         (unsigned long long)leaf, (long long)sqlite3_column_int64(s, 2));
		return GT_ECORRUPT;
	}
	sig_len = (size_t)sqlite3_column_bytes(s, 5);
	if (sqlite3_column_bytes(s, 4) != GT_SHA256_LEN || sig_len > GT_ED25519_SIG_LEN)
		goto bad;
	r->out->batches++;
	return gt_logleaf_batch_hash(sqlite3_column_blob(s, 4), leaf_time(kind, &at),
	                             sqlite3_column_blob(s, 5), sig_len, hash);
bad:
	snprintf(r->out->why, sizeof(r->out->why), "leaf %llu is malformed",
	         (unsigned long long)leaf);
	return GT_ECORRUPT;
}

/* Checks that the leaf row of the check's query (see gt_store_tree_check) is leaf want and, for
 * a batch's leaf, that the batch names it as its own and comes after the batch of the leaf
 * before (whose log index *last_index holds, updated); 0 or GT_ECORRUPT with out->why. */
static int leaf_in_order(sqlite3_stmt *s, uint64_t want, uint64_t *last_index,
                         struct gt_store_tree_check *out)
{
	uint64_t leaf = (uint64_t)sqlite3_column_int64(s, 0), li;

	if (leaf != want) {
		snprintf(out->why, sizeof(out->why), "leaf %llu is missing",
		         (unsigned long long)want);
		return GT_ECORRUPT;
	}
	if (!gt_logleaf_is_batch(sqlite3_column_int(s, 1)))
		return 0;
	li = (uint64_t)sqlite3_column_int64(s, 2);
	if (sqlite3_column_type(s, 4) != SQLITE_NULL &&
	    (sqlite3_column_type(s, 6) == SQLITE_NULL ||
	     (uint64_t)sqlite3_column_int64(s, 6) != leaf)) {
		snprintf(out->why, sizeof(out->why),
		         "batch %llu does not name leaf %llu as its own", (unsigned long long)li,
		         (unsigned long long)leaf);
		return GT_ECORRUPT;
	}
	if (li <= *last_index) {
		snprintf(out->why, sizeof(out->why),
		         "leaf %llu names batch %llu out of the log's order",
		         (unsigned long long)leaf, (unsigned long long)li);
		return GT_ECORRUPT;
	}
	*last_index = li;
	return 0;
}

/* Walks the tree's leaves in order, recomputing the tree from them against the stored nodes;
 * their count into r->out->leaves. */
static int recheck_leaves(struct recheck *r)
{
	struct gt_store *st = r->st;
	sqlite3_stmt *s = NULL;
	uint64_t want = 0, last_index = 0;
	int rc;

	rc = sqlite3_prepare_v2(
	    st->db,
	    "SELECT t.id >> 6, t.kind, t.log_index, t.entry, b.batch_hash, "
	    "b.signature, b.leaf, b.received_at_ms FROM log_tree AS t LEFT JOIN batch_log AS b "
	    "ON b.log_index = t.log_index WHERE (t.id & 63) = 0 ORDER BY t.id",
	    -1, &s, NULL);
	if (rc != SQLITE_OK)
		return gt__store_sqlerr(st, rc, "reading the tree's leaves");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		uint8_t hash[GT_MERKLE_HASH_LEN];

		rc = leaf_in_order(s, want, &last_index, r->out);
		if (rc == 0)
			rc = recheck_leaf(r, s, want, hash);
		if (rc == 0)
			rc = gt_merkle_append(want, hash, recheck_get, recheck_put, r);
		if (rc != 0)
			goto out;
		want++;
	}
	if (rc != SQLITE_DONE) {
		rc = gt__store_sqlerr(st, rc, "reading the tree's leaves");
		goto out;
	}
	r->out->leaves = want;
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

/* Checks that every batch of the log has its leaf, and the tree holds no node beyond its
 * leaves; 0, GT_ECORRUPT with out->why, or the store's error. */
static int tree_complete(struct gt_store *st, struct gt_store_tree_check *out)
{
	uint64_t nodes = 0, logged = 0, expect = 0;
	int rc;

	rc = gt__store_count(st, Q_LOG_COUNT, "counting the log", &logged);
	if (rc == 0 && logged != out->batches) {
		snprintf(out->why, sizeof(out->why), "the log holds %llu batches but the tree %llu",
		         (unsigned long long)logged, (unsigned long long)out->batches);
		rc = GT_ECORRUPT;
	}
	if (rc == 0)
		rc = gt__store_count(st, Q_TREE_NODES, "counting the tree's nodes", &nodes);
	if (rc != 0)
		return rc;
	for (uint64_t n = out->leaves; n > 0; n >>= 1)
		expect += n;
	if (nodes != expect) {
		snprintf(out->why, sizeof(out->why),
		         "the tree holds %llu nodes where its %llu leaves make %llu",
		         (unsigned long long)nodes, (unsigned long long)out->leaves,
		         (unsigned long long)expect);
		return GT_ECORRUPT;
	}
	return 0;
}

int gt_store_tree_check(struct gt_store *st, struct gt_store_tree_check *out)
{
	struct recheck r = {.st = st, .out = out};
	int own, rc;

	memset(out, 0, sizeof(*out));
	rc = gt__store_read_begin(st, &own);
	if (rc != 0)
		return rc;
	rc = recheck_leaves(&r);
	if (rc == 0)
		rc = tree_complete(st, out);
	gt__store_read_end(st, own);
	if (rc == GT_ECORRUPT && out->why[0] != '\0')
		gt__store_err(st, rc, "%s", out->why);
	return rc;
}
