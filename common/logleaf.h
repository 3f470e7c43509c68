/* The entries of gtsync's transparency log: what each leaf of the Merkle tree holds. */
#ifndef GT_LOGLEAF_H
#define GT_LOGLEAF_H

#include <stddef.h>
#include <stdint.h>

#include "gtlimits.h"
#include "key.h"
#include "keylabel.h"
#include "merkle.h"
#include "orgunit.h"

/* The first byte of a leaf entry says what it logs (docs/PROTOCOL.md, "Transparency log"). */
enum gt_logleaf_kind {
	GT_LOGLEAF_BATCH = 1, /* a signed batch: hash of its bytes, then the signature */
	GT_LOGLEAF_KEY = 2,   /* a key record, then the centre's signature over it */
	GT_LOGLEAF_TIMED = 3, /* a signed batch with the time the server received it */
};

/* The domain string the centre's signature over a key record starts with. */
#define GT_LOGLEAF_KEY_DOMAIN "gtsync-key-record-v1"

/* Longest key record entry accepted. */
#define GT_LOGLEAF_KEY_MAX 512u

/* A key record (KeyRecord in proto/gtsync.proto). Strings borrowed. */
struct gt_logleaf_keyrec {
	int action; /* Gtsync__V1__KeyAction */
	const char *key_id;
	const uint8_t *public_key; /* GT_ED25519_PUB_LEN bytes */
	const char *org_unit;
	unsigned roles;
	int64_t at_ms;
	const char *label; /* the key's label; NULL or "" for none */
};

/* Writes the entry of key record r into a new buffer *out of *len bytes (caller frees): 0x02,
 * the centre's Ed25519 signature (by signer, borrowed) over GT_LOGLEAF_KEY_DOMAIN, 0x00 and
 * the packed record, then the packed record. Without a signer (a store changed without the
 * signing key at hand) the signature is 64 zero bytes, which no key verifies. */
int gt_logleaf_key(const struct gt_logleaf_keyrec *r, const struct gt_key *signer, uint8_t **out,
                   size_t *len);

/* Checks a key record entry: its kind, and the signature with the centre's key pub. 0, or
 * GT_EBADSIG (also for an entry too short or not a key record). */
int gt_logleaf_key_verify(const uint8_t *entry, size_t len, const uint8_t pub[GT_ED25519_PUB_LEN]);

/* A key record read back from its entry (gt_logleaf_key_parse()): strings copied in. */
struct gt_logleaf_keyinfo {
	int action; /* Gtsync__V1__KeyAction */
	char key_id[GT_KEY_ID_LEN + 1];
	uint8_t public_key[GT_ED25519_PUB_LEN];
	char org_unit[GT_ORGUNIT_MAX_LEN];
	unsigned roles;
	int64_t at_ms;
	char label[GT_KEYLABEL_MAX]; /* "" when the record has none (records before it did) */
};

/* Reads the record of a key record entry (it does not check the signature: see
 * gt_logleaf_key_verify()) into out. GT_EINVAL for an entry that is not a key record, too
 * long, malformed, with a key id, public key or org unit of the wrong length, a label
 * gt_keylabel_check() refuses, or an unknown action; out is then zeroed. entry is borrowed. */
int gt_logleaf_key_parse(const uint8_t *entry, size_t len, struct gt_logleaf_keyinfo *out);

/* Longest batch entry: the kind, the batch hash, the time received and an Ed25519 signature. */
#define GT_LOGLEAF_BATCH_MAX (1u + GT_SHA256_LEN + 8u + GT_ED25519_SIG_LEN)

/* Writes the entry of a logged batch into out[0..*len): with received_at_ms NULL (a batch
 * logged before the server logged receive times) kind 1: 0x01, SHA-256 of the batch bytes as
 * signed, then the signature; else kind 3: 0x03, the hash, *received_at_ms as 8 bytes
 * big-endian two's complement, then the signature. sig_len is 0 for a batch logged without
 * its bytes, whose signature was not kept. GT_EINVAL for a signature longer than an Ed25519
 * one. */
int gt_logleaf_batch(const uint8_t hash[GT_SHA256_LEN], const int64_t *received_at_ms,
                     const uint8_t *sig, size_t sig_len, uint8_t out[GT_LOGLEAF_BATCH_MAX],
                     size_t *len);

/* Writes the leaf hash of a logged batch (its entry, as gt_logleaf_batch() writes it, hashed
 * as an RFC 9162 leaf) into out. */
int gt_logleaf_batch_hash(const uint8_t hash[GT_SHA256_LEN], const int64_t *received_at_ms,
                          const uint8_t *sig, size_t sig_len, uint8_t out[GT_MERKLE_HASH_LEN]);

/* A batch entry read back (gt_logleaf_batch_parse()): pointers into the entry. */
struct gt_logleaf_batchinfo {
	int kind;            /* GT_LOGLEAF_BATCH or GT_LOGLEAF_TIMED */
	const uint8_t *hash; /* GT_SHA256_LEN bytes */
	int timed;           /* received_at_ms is the logged receive time (kind 3) */
	int64_t received_at_ms;
	const uint8_t *sig; /* sig_len bytes; NULL when the entry has none */
	size_t sig_len;     /* GT_ED25519_SIG_LEN or 0 */
};

/* Reads a batch entry (kind 1 or 3, with or without its signature) into out. GT_EINVAL for
 * any other entry; out is then zeroed. entry is borrowed. */
int gt_logleaf_batch_parse(const uint8_t *entry, size_t len, struct gt_logleaf_batchinfo *out);

/* Whether kind (an entry's first byte) is a batch's (1 or 3). */
int gt_logleaf_is_batch(int kind);

#endif
