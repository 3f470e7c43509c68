/* Signed tree heads of the transparency log: the exact bytes signed, signing and checking. */
#include "treehead.h"

#include <string.h>

#include "buf.h"
#include "error.h"

void gt_treehead_message(const struct gt_treehead *h, uint8_t out[GT_TREEHEAD_MSG_LEN])
{
	size_t k = sizeof(GT_TREEHEAD_DOMAIN); /* the domain and its NUL, the 0x00 separator */

	memcpy(out, GT_TREEHEAD_DOMAIN, k);
	gt_buf_store_u64be(out + k, h->size);
	gt_buf_store_u64be(out + k + 8, (uint64_t)h->timestamp_ms);
	memcpy(out + k + 16, h->root, GT_MERKLE_HASH_LEN);
}

int gt_treehead_sign(const struct gt_key *k, struct gt_treehead *h)
{
	uint8_t msg[GT_TREEHEAD_MSG_LEN];

	if (k == NULL || h == NULL)
		return GT_EINVAL;
	gt_treehead_message(h, msg);
	return gt_key_sign(k, msg, sizeof(msg), h->signature);
}

int gt_treehead_verify(const uint8_t pub[GT_ED25519_PUB_LEN], const struct gt_treehead *h)
{
	uint8_t msg[GT_TREEHEAD_MSG_LEN];

	if (pub == NULL || h == NULL)
		return GT_EINVAL;
	gt_treehead_message(h, msg);
	return gt_key_verify(pub, msg, sizeof(msg), h->signature);
}
