/* Tests for common/merkle.c: RFC 9162 hashing against Certificate Transparency's known
 * answers, trees of every size up to 70 built by appending, and every inclusion and
 * consistency proof among them checked, and refused once tampered with (issue 14). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "merkle.h"

#define MAX_LEAVES 70u
#define H          GT_MERKLE_HASH_LEN

/* A tree in memory: complete-subtree nodes by (level, index), as a store keeps them. */
struct memtree {
	uint8_t node[8][MAX_LEAVES][H];
	uint8_t have[8][MAX_LEAVES];
	uint64_t size;
	unsigned gets;
};

static int mem_get(void *arg, unsigned level, uint64_t index, uint8_t out[H])
{
	struct memtree *t = arg;

	t->gets++;
	if (level >= 8 || index >= MAX_LEAVES || !t->have[level][index])
		return GT_ENOENT;
	memcpy(out, t->node[level][index], H);
	return 0;
}

static int mem_put(void *arg, unsigned level, uint64_t index, const uint8_t hash[H])
{
	struct memtree *t = arg;

	if (level >= 8 || index >= MAX_LEAVES || t->have[level][index])
		return GT_EEXIST;
	memcpy(t->node[level][index], hash, H);
	t->have[level][index] = 1;
	return 0;
}

static void hex(const char *s, uint8_t *out, size_t *len)
{
	size_t n = strlen(s) / 2;

	for (size_t i = 0; i < n; i++) {
		unsigned v;
		sscanf(s + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
	*len = n;
}

/* The root of leaf hashes l[0..n) by the definition (RFC 9162 2.1.1), recursively. */
static void naive_root(const uint8_t (*l)[H], size_t n, uint8_t out[H])
{
	uint8_t a[H], b[H];
	size_t k = 1;

	if (n == 0) {
		gt_merkle_empty_root(out);
		return;
	}
	if (n == 1) {
		memcpy(out, l[0], H);
		return;
	}
	while (k * 2 < n)
		k *= 2;
	naive_root(l, k, a);
	naive_root(l + k, n - k, b);
	gt_merkle_node_hash(a, b, out);
}

/* Certificate Transparency's test leaves and the roots of their first 1..8 (RFC 6962). */
static const char *const ct_leaves[8] = {"",
                                         "00",
                                         "10",
                                         "2021",
                                         "3031",
                                         "40414243",
                                         "5051525354555657",
                                         "606162636465666768696a6b6c6d6e6f"};
static const char *const ct_roots[8] = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};

static struct memtree ct_tree;

static void build_ct(void)
{
	memset(&ct_tree, 0, sizeof(ct_tree));
	for (size_t i = 0; i < 8; i++) {
		uint8_t entry[64], leaf[H];
		size_t len;

		hex(ct_leaves[i], entry, &len);
		assert_int_equal(gt_merkle_leaf_hash(entry, len, leaf), 0);
		assert_int_equal(gt_merkle_append(i, leaf, mem_get, mem_put, &ct_tree), 0);
	}
	ct_tree.size = 8;
}

static void known_roots(void **state)
{
	uint8_t want[H], got[H];
	size_t len;
	(void)state;

	build_ct();
	for (uint64_t n = 1; n <= 8; n++) {
		hex(ct_roots[n - 1], want, &len);
		assert_int_equal(gt_merkle_root(n, mem_get, &ct_tree, got), 0);
		assert_memory_equal(want, got, H);
	}
	/* The empty tree's root is SHA-256 of nothing. */
	hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", want, &len);
	assert_int_equal(gt_merkle_root(0, mem_get, &ct_tree, got), 0);
	assert_memory_equal(want, got, H);
}

static void known_proofs(void **state)
{
	static const char *const path0_8[3] = {
	    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
	    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"};
	static const char *const cons3_7[4] = {
	    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
	    "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
	    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	    "837dbb152e9b079010717e84e865da4ebc0fa198a806d59d31bf15accef22d0e"};
	uint8_t proof[GT_MERKLE_MAX_PROOF][H], want[H];
	size_t n, len;
	(void)state;

	build_ct();
	assert_int_equal(gt_merkle_inclusion_proof(0, 8, mem_get, &ct_tree, proof, &n), 0);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < 3; i++) {
		hex(path0_8[i], want, &len);
		assert_memory_equal(want, proof[i], H);
	}
	assert_int_equal(gt_merkle_consistency_proof(3, 7, mem_get, &ct_tree, proof, &n), 0);
	assert_int_equal(n, 4);
	for (size_t i = 0; i < 4; i++) {
		hex(cons3_7[i], want, &len);
		assert_memory_equal(want, proof[i], H);
	}
}

static struct memtree big;
static uint8_t leaves[MAX_LEAVES][H];

static void build_big(void)
{
	memset(&big, 0, sizeof(big));
	for (uint64_t i = 0; i < MAX_LEAVES; i++) {
		char entry[32];

		snprintf(entry, sizeof(entry), "entry %llu", (unsigned long long)i);
		assert_int_equal(gt_merkle_leaf_hash(entry, strlen(entry), leaves[i]), 0);
		assert_int_equal(gt_merkle_append(i, leaves[i], mem_get, mem_put, &big), 0);
	}
}

static void roots_match_the_definition(void **state)
{
	uint8_t want[H], got[H];
	(void)state;

	build_big();
	for (uint64_t n = 0; n <= MAX_LEAVES; n++) {
		naive_root((const uint8_t(*)[H])leaves, n, want);
		big.gets = 0;
		assert_int_equal(gt_merkle_root(n, mem_get, &big, got), 0);
		assert_memory_equal(want, got, H);
		/* O(log n) nodes read: one per set bit of n. */
		assert_true(big.gets <= 7);
	}
}

static void every_inclusion_proof_verifies_and_no_tampered_one(void **state)
{
	uint8_t proof[GT_MERKLE_MAX_PROOF][H], root[H], other[H];
	size_t n;
	(void)state;

	build_big();
	for (uint64_t size = 1; size <= MAX_LEAVES; size++) {
		assert_int_equal(gt_merkle_root(size, mem_get, &big, root), 0);
		for (uint64_t m = 0; m < size; m++) {
			const uint8_t(*p)[H] = (const uint8_t(*)[H])proof;

			assert_int_equal(
			    gt_merkle_inclusion_proof(m, size, mem_get, &big, proof, &n), 0);
			assert_true(n <= 7);
			assert_int_equal(gt_merkle_inclusion_verify(m, size, leaves[m], p, n, root),
			                 0);
			/* Another leaf or index, a size the leaf is not in, a root of another size,
			 * a changed node, a node missing or added: each is refused. */
			assert_int_equal(gt_merkle_inclusion_verify(
			                     m, size, leaves[(m + 1) % MAX_LEAVES], p, n, root),
			                 GT_EBADSIG);
			if (size > 1)
				assert_int_equal(gt_merkle_inclusion_verify((m + 1) % size, size,
				                                            leaves[m], p, n, root),
				                 GT_EBADSIG);
			assert_int_equal(gt_merkle_inclusion_verify(m, m, leaves[m], p, n, root),
			                 GT_EBADSIG);
			if (size > 1) {
				assert_int_equal(gt_merkle_root(size - 1, mem_get, &big, other), 0);
				assert_int_equal(
				    gt_merkle_inclusion_verify(m, size, leaves[m], p, n, other),
				    GT_EBADSIG);
			}
			for (size_t i = 0; i < n; i++) {
				proof[i][i % H] ^= 0x01;
				assert_int_equal(
				    gt_merkle_inclusion_verify(m, size, leaves[m], p, n, root),
				    GT_EBADSIG);
				proof[i][i % H] ^= 0x01;
			}
			if (n > 0)
				assert_int_equal(
				    gt_merkle_inclusion_verify(m, size, leaves[m], p, n - 1, root),
				    GT_EBADSIG);
			memcpy(proof[n], root, H);
			assert_int_equal(
			    gt_merkle_inclusion_verify(m, size, leaves[m], p, n + 1, root),
			    GT_EBADSIG);
		}
	}
	assert_int_equal(gt_merkle_inclusion_proof(3, 3, mem_get, &big, proof, &n), GT_EINVAL);
	assert_int_equal(n, 0);
}

static void every_consistency_proof_verifies_and_no_tampered_one(void **state)
{
	uint8_t proof[GT_MERKLE_MAX_PROOF][H], roots[MAX_LEAVES + 1][H];
	const uint8_t(*p)[H] = (const uint8_t(*)[H])proof;
	size_t n;
	(void)state;

	build_big();
	for (uint64_t s = 0; s <= MAX_LEAVES; s++)
		assert_int_equal(gt_merkle_root(s, mem_get, &big, roots[s]), 0);
	for (uint64_t size = 1; size <= MAX_LEAVES; size++) {
		for (uint64_t old = 0; old <= size; old++) {
			assert_int_equal(
			    gt_merkle_consistency_proof(old, size, mem_get, &big, proof, &n), 0);
			assert_true(n <= 14);
			assert_int_equal(
			    gt_merkle_consistency_verify(old, size, roots[old], roots[size], p, n),
			    0);
			if (old == 0)
				continue;
			/* A history that differs (another old root, another new root), a changed
			 * node, a node missing or added, swapped sizes: each is refused. */
			if (old > 1)
				assert_int_equal(gt_merkle_consistency_verify(
				                     old, size, roots[old - 1], roots[size], p, n),
				                 GT_EBADSIG);
			if (size < MAX_LEAVES)
				assert_int_equal(gt_merkle_consistency_verify(
				                     old, size, roots[old], roots[size + 1], p, n),
				                 GT_EBADSIG);
			for (size_t i = 0; i < n; i++) {
				proof[i][(i * 7) % H] ^= 0x80;
				assert_int_equal(gt_merkle_consistency_verify(old, size, roots[old],
				                                              roots[size], p, n),
				                 GT_EBADSIG);
				proof[i][(i * 7) % H] ^= 0x80;
			}
			if (n > 0)
				assert_int_equal(gt_merkle_consistency_verify(
				                     old, size, roots[old], roots[size], p, n - 1),
				                 GT_EBADSIG);
			memcpy(proof[n], roots[old], H);
			assert_int_equal(gt_merkle_consistency_verify(old, size, roots[old],
			                                              roots[size], p, n + 1),
			                 GT_EBADSIG);
			if (old < size)
				assert_int_equal(gt_merkle_consistency_verify(
				                     size, old, roots[size], roots[old], p, n),
				                 GT_EBADSIG);
		}
	}
	/* A tree is consistent with itself only by an empty proof and equal roots. */
	assert_int_equal(gt_merkle_consistency_verify(5, 5, roots[5], roots[5], NULL, 0), 0);
	assert_int_equal(gt_merkle_consistency_verify(5, 5, roots[5], roots[6], NULL, 0),
	                 GT_EBADSIG);
	assert_int_equal(gt_merkle_consistency_proof(6, 5, mem_get, &big, proof, &n), GT_EINVAL);
}

static void a_failing_store_is_reported(void **state)
{
	struct memtree empty;
	uint8_t proof[GT_MERKLE_MAX_PROOF][H], root[H];
	size_t n;
	(void)state;

	memset(&empty, 0, sizeof(empty));
	assert_int_equal(gt_merkle_root(3, mem_get, &empty, root), GT_ENOENT);
	assert_int_equal(gt_merkle_inclusion_proof(1, 3, mem_get, &empty, proof, &n), GT_ENOENT);
	assert_int_equal(n, 0);
	/* Appending twice at one place is refused by the store, and passed back. */
	build_big();
	assert_int_equal(gt_merkle_append(0, leaves[0], mem_get, mem_put, &big), GT_EEXIST);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(known_roots),
	    cmocka_unit_test(known_proofs),
	    cmocka_unit_test(roots_match_the_definition),
	    cmocka_unit_test(every_inclusion_proof_verifies_and_no_tampered_one),
	    cmocka_unit_test(every_consistency_proof_verifies_and_no_tampered_one),
	    cmocka_unit_test(a_failing_store_is_reported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
