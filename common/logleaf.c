/* The entries of gtsync's transparency log, as the leaves of its Merkle tree hash them. */
#include "logleaf.h"

#include <string.h>

#include "error.h"

int gt_logleaf_batch(const uint8_t hash[GT_SHA256_LEN], const uint8_t *sig, size_t sig_len,
                     uint8_t out[GT_LOGLEAF_BATCH_MAX], size_t *len)
{
	*len = 0;
	if (hash == NULL || (sig == NULL && sig_len > 0) || sig_len > GT_ED25519_SIG_LEN)
		return GT_EINVAL;
	out[0] = GT_LOGLEAF_BATCH;
	memcpy(out + 1, hash, GT_SHA256_LEN);
	if (sig_len > 0)
		memcpy(out + 1 + GT_SHA256_LEN, sig, sig_len);
	*len = 1 + GT_SHA256_LEN + sig_len;
	return 0;
}

int gt_logleaf_batch_hash(const uint8_t hash[GT_SHA256_LEN], const uint8_t *sig, size_t sig_len,
                          uint8_t out[GT_MERKLE_HASH_LEN])
{
	uint8_t entry[GT_LOGLEAF_BATCH_MAX];
	size_t len;
	int rc = gt_logleaf_batch(hash, sig, sig_len, entry, &len);

	return rc != 0 ? rc : gt_merkle_leaf_hash(entry, len, out);
}
