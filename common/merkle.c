/* RFC 9162 Merkle trees over complete-subtree hashes: append, roots, proofs and their checks. */
#include "merkle.h"

#include <string.h>

#include "crypto.h"
#include "error.h"

int gt_merkle_leaf_hash(const void *entry, size_t len, uint8_t out[GT_MERKLE_HASH_LEN])
{
	static const uint8_t prefix = 0x00;
	struct gt_crypto_sha256 *h = NULL;
	int rc;

	if (out == NULL || (entry == NULL && len > 0))
		return GT_EINVAL;
	rc = gt_crypto_sha256_init(&h);
	if (rc == 0)
		rc = gt_crypto_sha256_update(h, &prefix, 1);
	if (rc == 0)
		rc = gt_crypto_sha256_update(h, entry, len);
	if (rc == 0)
		rc = gt_crypto_sha256_final(h, out);
	gt_crypto_sha256_free(h);
	return rc;
}

int gt_merkle_node_hash(const uint8_t left[GT_MERKLE_HASH_LEN],
                        const uint8_t right[GT_MERKLE_HASH_LEN], uint8_t out[GT_MERKLE_HASH_LEN])
{
	uint8_t buf[1 + 2 * GT_MERKLE_HASH_LEN];

	if (left == NULL || right == NULL || out == NULL)
		return GT_EINVAL;
	buf[0] = 0x01;
	memcpy(buf + 1, left, GT_MERKLE_HASH_LEN);
	memcpy(buf + 1 + GT_MERKLE_HASH_LEN, right, GT_MERKLE_HASH_LEN);
	return gt_crypto_sha256(buf, sizeof(buf), out);
}

int gt_merkle_empty_root(uint8_t out[GT_MERKLE_HASH_LEN])
{
	return gt_crypto_sha256(NULL, 0, out);
}

/* The largest power of two strictly below n (n >= 2). */
static uint64_t split_of(uint64_t n)
{
	return (uint64_t)1 << (63 - __builtin_clzll(n - 1));
}

static int is_pow2(uint64_t n)
{
	return n != 0 && (n & (n - 1)) == 0;
}

/* The root of leaves [a, b) (a < b), where a is a multiple of the smallest power of two at
 * least b - a, as every subtree of an RFC 9162 tree is: complete subtrees are read, the right
 * edge is computed. */
static int range_hash(uint64_t a, uint64_t b, gt_merkle_get_fn get, void *arg,
                      uint8_t out[GT_MERKLE_HASH_LEN])
{
	uint8_t left[GT_MERKLE_HASH_LEN], right[GT_MERKLE_HASH_LEN];
	uint64_t n = b - a, k;
	int rc;

	if (is_pow2(n)) {
		unsigned level = (unsigned)__builtin_ctzll(n);
		return get(arg, level, a >> level, out);
	}
	k = split_of(n);
	rc = range_hash(a, a + k, get, arg, left);
	if (rc == 0)
		rc = range_hash(a + k, b, get, arg, right);
	if (rc == 0)
		rc = gt_merkle_node_hash(left, right, out);
	return rc;
}

int gt_merkle_append(uint64_t size, const uint8_t leaf[GT_MERKLE_HASH_LEN], gt_merkle_get_fn get,
                     gt_merkle_put_fn put, void *arg)
{
	uint8_t cur[GT_MERKLE_HASH_LEN], left[GT_MERKLE_HASH_LEN];
	uint64_t index = size;
	unsigned level = 0;
	int rc;

	if (leaf == NULL || get == NULL || put == NULL)
		return GT_EINVAL;
	if (size >= GT_MERKLE_MAX_SIZE)
		return GT_ETOOBIG;
	memcpy(cur, leaf, GT_MERKLE_HASH_LEN);
	rc = put(arg, 0, index, cur);
	while (rc == 0 && (index & 1) != 0) {
		rc = get(arg, level, index - 1, left);
		if (rc == 0)
			rc = gt_merkle_node_hash(left, cur, cur);
		index >>= 1;
		level++;
		if (rc == 0)
			rc = put(arg, level, index, cur);
	}
	return rc;
}

int gt_merkle_root(uint64_t size, gt_merkle_get_fn get, void *arg, uint8_t out[GT_MERKLE_HASH_LEN])
{
	if (get == NULL || out == NULL || size > GT_MERKLE_MAX_SIZE)
		return GT_EINVAL;
	if (size == 0)
		return gt_merkle_empty_root(out);
	return range_hash(0, size, get, arg, out);
}

/* A proof being written: its nodes so far and where the tree is read. */
struct proof {
	uint8_t (*nodes)[GT_MERKLE_HASH_LEN];
	size_t n;
	gt_merkle_get_fn get;
	void *arg;
};

static int proof_add(struct proof *p, uint64_t a, uint64_t b)
{
	if (p->n >= GT_MERKLE_MAX_PROOF)
		return GT_ETOOBIG;
	return range_hash(a, b, p->get, p->arg, p->nodes[p->n++]);
}

/* PATH(m, D[a:b]) of RFC 9162 2.1.3.1, m counted from a. */
static int path(struct proof *p, uint64_t m, uint64_t a, uint64_t b)
{
	uint64_t k;
	int rc;

	if (b - a <= 1)
		return 0;
	k = split_of(b - a);
	if (m < k) {
		rc = path(p, m, a, a + k);
		return rc != 0 ? rc : proof_add(p, a + k, b);
	}
	rc = path(p, m - k, a + k, b);
	return rc != 0 ? rc : proof_add(p, a, a + k);
}

/* SUBPROOF(m, D[a:b], whole) of RFC 9162 2.1.4.1, m counted from a. */
static int subproof(struct proof *p, uint64_t m, uint64_t a, uint64_t b, int whole)
{
	uint64_t k;
	int rc;

	if (m == b - a)
		return whole ? 0 : proof_add(p, a, b);
	k = split_of(b - a);
	if (m <= k) {
		rc = subproof(p, m, a, a + k, whole);
		return rc != 0 ? rc : proof_add(p, a + k, b);
	}
	rc = subproof(p, m - k, a + k, b, 0);
	return rc != 0 ? rc : proof_add(p, a, a + k);
}

int gt_merkle_inclusion_proof(uint64_t leaf, uint64_t size, gt_merkle_get_fn get, void *arg,
                              uint8_t proof[GT_MERKLE_MAX_PROOF][GT_MERKLE_HASH_LEN], size_t *n)
{
	struct proof p = {proof, 0, get, arg};
	int rc;

	if (n != NULL)
		*n = 0;
	if (n == NULL || proof == NULL || get == NULL || leaf >= size || size > GT_MERKLE_MAX_SIZE)
		return GT_EINVAL;
	rc = path(&p, leaf, 0, size);
	if (rc == 0)
		*n = p.n;
	return rc;
}

int gt_merkle_consistency_proof(uint64_t old_size, uint64_t size, gt_merkle_get_fn get, void *arg,
                                uint8_t proof[GT_MERKLE_MAX_PROOF][GT_MERKLE_HASH_LEN], size_t *n)
{
	struct proof p = {proof, 0, get, arg};
	int rc;

	if (n != NULL)
		*n = 0;
	if (n == NULL || proof == NULL || get == NULL || old_size > size ||
	    size > GT_MERKLE_MAX_SIZE)
		return GT_EINVAL;
	if (old_size == 0 || old_size == size)
		return 0;
	rc = subproof(&p, old_size, 0, size, 1);
	if (rc == 0)
		*n = p.n;
	return rc;
}

int gt_merkle_inclusion_verify(uint64_t leaf, uint64_t size,
                               const uint8_t leaf_hash[GT_MERKLE_HASH_LEN],
                               const uint8_t (*proof)[GT_MERKLE_HASH_LEN], size_t n,
                               const uint8_t root[GT_MERKLE_HASH_LEN])
{
	uint8_t r[GT_MERKLE_HASH_LEN];
	uint64_t fn, sn;

	if (leaf_hash == NULL || root == NULL || (proof == NULL && n > 0))
		return GT_EINVAL;
	if (leaf >= size || size > GT_MERKLE_MAX_SIZE || n > GT_MERKLE_MAX_PROOF)
		return GT_EBADSIG;
	fn = leaf;
	sn = size - 1;
	memcpy(r, leaf_hash, GT_MERKLE_HASH_LEN);
	for (size_t i = 0; i < n; i++) {
		if (sn == 0)
			return GT_EBADSIG;
		if ((fn & 1) != 0 || fn == sn) {
			if (gt_merkle_node_hash(proof[i], r, r) != 0)
				return GT_ECRYPTO;
			while ((fn & 1) == 0 && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else if (gt_merkle_node_hash(r, proof[i], r) != 0) {
			return GT_ECRYPTO;
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && gt_crypto_equal(r, root, GT_MERKLE_HASH_LEN) ? 0 : GT_EBADSIG;
}

int gt_merkle_consistency_verify(uint64_t old_size, uint64_t size,
                                 const uint8_t old_root[GT_MERKLE_HASH_LEN],
                                 const uint8_t new_root[GT_MERKLE_HASH_LEN],
                                 const uint8_t (*proof)[GT_MERKLE_HASH_LEN], size_t n)
{
	uint8_t fr[GT_MERKLE_HASH_LEN], sr[GT_MERKLE_HASH_LEN];
	uint64_t fn, sn;
	size_t i = 0;

	if (old_root == NULL || new_root == NULL || (proof == NULL && n > 0))
		return GT_EINVAL;
	if (old_size > size || size > GT_MERKLE_MAX_SIZE || n > GT_MERKLE_MAX_PROOF)
		return GT_EBADSIG;
	if (old_size == 0)
		return n == 0 ? 0 : GT_EBADSIG;
	if (old_size == size)
		return n == 0 && gt_crypto_equal(old_root, new_root, GT_MERKLE_HASH_LEN)
		           ? 0
		           : GT_EBADSIG;
	if (n == 0)
		return GT_EBADSIG;
	/* An old tree of a power of two leaves is itself a node of the new one: the proof starts
	 * from its root, which the proof leaves out. */
	if (is_pow2(old_size)) {
		memcpy(fr, old_root, GT_MERKLE_HASH_LEN);
	} else {
		memcpy(fr, proof[0], GT_MERKLE_HASH_LEN);
		i = 1;
	}
	memcpy(sr, fr, GT_MERKLE_HASH_LEN);
	fn = old_size - 1;
	sn = size - 1;
	while ((fn & 1) != 0) {
		fn >>= 1;
		sn >>= 1;
	}
	for (; i < n; i++) {
		if (sn == 0)
			return GT_EBADSIG;
		if ((fn & 1) != 0 || fn == sn) {
			if (gt_merkle_node_hash(proof[i], fr, fr) != 0 ||
			    gt_merkle_node_hash(proof[i], sr, sr) != 0)
				return GT_ECRYPTO;
			while ((fn & 1) == 0 && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else if (gt_merkle_node_hash(sr, proof[i], sr) != 0) {
			return GT_ECRYPTO;
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && gt_crypto_equal(fr, old_root, GT_MERKLE_HASH_LEN) &&
	               gt_crypto_equal(sr, new_root, GT_MERKLE_HASH_LEN)
	           ? 0
	           : GT_EBADSIG;
}
