/* RFC 9162 Merkle trees: leaf and node hashing, roots, inclusion and consistency proofs. */
#ifndef GT_MERKLE_H
#define GT_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "gtlimits.h"

/* Length of every hash of the tree (SHA-256). */
#define GT_MERKLE_HASH_LEN 32u

/* Most nodes in a proof: a tree of up to 2^63 leaves has at most 63 levels, and a
 * consistency proof at most one node more per level than an inclusion proof. */
#define GT_MERKLE_MAX_PROOF 128u

/* Largest tree size these functions accept (sizes are signed 64-bit in the stores). */
#define GT_MERKLE_MAX_SIZE ((uint64_t)INT64_MAX)

/*
 * Hashing (RFC 9162 section 2.1.1): a leaf hash is SHA-256(0x00 || entry), an interior node
 * SHA-256(0x01 || left || right), the root of the empty tree SHA-256 of nothing. The root of
 * n > 1 leaves is the node over the root of the first k leaves and the root of the rest, with
 * k the largest power of two below n.
 */

/* Writes the leaf hash of entry[0..len) into out; entry may be NULL only when len is 0. */
int gt_merkle_leaf_hash(const void *entry, size_t len, uint8_t out[GT_MERKLE_HASH_LEN]);

/* Writes the node hash over left and right into out (out may alias either). */
int gt_merkle_node_hash(const uint8_t left[GT_MERKLE_HASH_LEN],
                        const uint8_t right[GT_MERKLE_HASH_LEN], uint8_t out[GT_MERKLE_HASH_LEN]);

/* Writes the root of the empty tree into out. */
int gt_merkle_empty_root(uint8_t out[GT_MERKLE_HASH_LEN]);

/*
 * A tree is read through the hashes of its complete subtrees: node (level, index) is the root
 * of leaves [index * 2^level, (index + 1) * 2^level), level 0 being the leaf hashes. A store
 * keeps exactly these nodes; everything else is computed from O(log n) of them. The callback
 * writes the node into out and returns 0, or a negative GT_E* code that is passed back.
 */
typedef int (*gt_merkle_get_fn)(void *arg, unsigned level, uint64_t index,
                                uint8_t out[GT_MERKLE_HASH_LEN]);

/* Called for each complete-subtree node that appending a leaf creates; returns 0 or GT_E*. */
typedef int (*gt_merkle_put_fn)(void *arg, unsigned level, uint64_t index,
                                const uint8_t hash[GT_MERKLE_HASH_LEN]);

/* Appends leaf (a leaf hash) as leaf number size of a tree of size leaves: calls put for the
 * leaf (level 0) and for every complete subtree it closes (at most log2(size + 1) more),
 * reading their left halves through get. */
int gt_merkle_append(uint64_t size, const uint8_t leaf[GT_MERKLE_HASH_LEN], gt_merkle_get_fn get,
                     gt_merkle_put_fn put, void *arg);

/* Writes the root of the first size leaves into out (the empty root for size 0). */
int gt_merkle_root(uint64_t size, gt_merkle_get_fn get, void *arg, uint8_t out[GT_MERKLE_HASH_LEN]);

/* Writes the audit path of leaf number leaf in the tree of size leaves (RFC 9162 2.1.3.1)
 * into proof[0..*n), leaf side first. GT_EINVAL unless leaf < size. */
int gt_merkle_inclusion_proof(uint64_t leaf, uint64_t size, gt_merkle_get_fn get, void *arg,
                              uint8_t proof[GT_MERKLE_MAX_PROOF][GT_MERKLE_HASH_LEN], size_t *n);

/* Writes the consistency proof from the tree of old_size leaves to the tree of size leaves
 * (RFC 9162 2.1.4.1) into proof[0..*n). GT_EINVAL unless old_size <= size; the proof is empty
 * when old_size is 0 or equals size. */
int gt_merkle_consistency_proof(uint64_t old_size, uint64_t size, gt_merkle_get_fn get, void *arg,
                                uint8_t proof[GT_MERKLE_MAX_PROOF][GT_MERKLE_HASH_LEN], size_t *n);

/* Checks that leaf_hash is leaf number leaf of the tree of size leaves whose root is root,
 * by the audit path proof[0..n) (RFC 9162 2.1.3.2). Returns 0 when it is, GT_EBADSIG when
 * the proof does not show it (including a leaf out of range or a proof of the wrong length). */
int gt_merkle_inclusion_verify(uint64_t leaf, uint64_t size,
                               const uint8_t leaf_hash[GT_MERKLE_HASH_LEN],
                               const uint8_t (*proof)[GT_MERKLE_HASH_LEN], size_t n,
                               const uint8_t root[GT_MERKLE_HASH_LEN]);

/* Checks that the tree of size leaves with root new_root extends the tree of old_size leaves
 * with root old_root, by proof[0..n) (RFC 9162 2.1.4.2). Equal sizes need equal roots and an
 * empty proof; an old tree of 0 leaves is extended by every tree (empty proof). Returns 0 when
 * it does, GT_EBADSIG otherwise (also for old_size > size). */
int gt_merkle_consistency_verify(uint64_t old_size, uint64_t size,
                                 const uint8_t old_root[GT_MERKLE_HASH_LEN],
                                 const uint8_t new_root[GT_MERKLE_HASH_LEN],
                                 const uint8_t (*proof)[GT_MERKLE_HASH_LEN], size_t n);

#endif
