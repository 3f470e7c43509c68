/* Signed tree heads of the transparency log: the exact bytes signed, signing and checking. */
#ifndef GT_TREEHEAD_H
#define GT_TREEHEAD_H

#include <stddef.h>
#include <stdint.h>

#include "gtlimits.h"
#include "key.h"
#include "merkle.h"

/* The domain string that starts every signed tree head (docs/PROTOCOL.md). */
#define GT_TREEHEAD_DOMAIN "gtsync-tree-head-v1"

/* Bytes signed: the domain, 0x00, the size and the time (8 bytes each, big-endian; the time
 * as a two's-complement int64) and the root. */
#define GT_TREEHEAD_MSG_LEN (sizeof(GT_TREEHEAD_DOMAIN) + 8u + 8u + GT_MERKLE_HASH_LEN)

/* A tree head: what the server states about its log at a time. */
struct gt_treehead {
	uint64_t size;
	uint8_t root[GT_MERKLE_HASH_LEN];
	int64_t timestamp_ms;
	uint8_t signature[GT_ED25519_SIG_LEN];
};

/* Writes the bytes a head's signature covers into out. */
void gt_treehead_message(const struct gt_treehead *h, uint8_t out[GT_TREEHEAD_MSG_LEN]);

/* Signs h (size, root, time) with k (borrowed, a private key) into h->signature. */
int gt_treehead_sign(const struct gt_key *k, struct gt_treehead *h);

/* Checks h's signature with the raw public key pub: 0 or GT_EBADSIG. */
int gt_treehead_verify(const uint8_t pub[GT_ED25519_PUB_LEN], const struct gt_treehead *h);

#endif
