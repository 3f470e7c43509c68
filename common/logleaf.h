/* The entries of gtsync's transparency log: what each leaf of the Merkle tree holds. */
#ifndef GT_LOGLEAF_H
#define GT_LOGLEAF_H

#include <stddef.h>
#include <stdint.h>

#include "gtlimits.h"
#include "merkle.h"

/* The first byte of a leaf entry says what it logs (docs/PROTOCOL.md, "Transparency log"). */
enum gt_logleaf_kind {
	GT_LOGLEAF_BATCH = 1, /* a signed batch: hash of its bytes, then the signature */
	GT_LOGLEAF_KEY = 2,   /* a key record, then the centre's signature over it */
};

/* Longest batch entry: the kind, the batch hash and an Ed25519 signature. */
#define GT_LOGLEAF_BATCH_MAX (1u + GT_SHA256_LEN + GT_ED25519_SIG_LEN)

/* Writes the entry of a logged batch into out[0..*len): 0x01, SHA-256 of the batch bytes as
 * signed, then the signature (sig_len 0 for a batch logged without its bytes, whose signature
 * was not kept). GT_EINVAL for a signature longer than an Ed25519 one. */
int gt_logleaf_batch(const uint8_t hash[GT_SHA256_LEN], const uint8_t *sig, size_t sig_len,
                     uint8_t out[GT_LOGLEAF_BATCH_MAX], size_t *len);

/* Writes the leaf hash of a logged batch (its entry hashed as an RFC 9162 leaf) into out. */
int gt_logleaf_batch_hash(const uint8_t hash[GT_SHA256_LEN], const uint8_t *sig, size_t sig_len,
                          uint8_t out[GT_MERKLE_HASH_LEN]);

#endif
