/* The entries of gtsync's transparency log, as the leaves of its Merkle tree hash them. */
#include "logleaf.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "gtsync.pb-c.h"

int gt_logleaf_batch(const uint8_t hash[GT_SHA256_LEN], const int64_t *received_at_ms,
                     const uint8_t *sig, size_t sig_len, uint8_t out[GT_LOGLEAF_BATCH_MAX],
                     size_t *len)
{
	size_t at = 1 + GT_SHA256_LEN;

	*len = 0;
	if (hash == NULL || (sig == NULL && sig_len > 0) || sig_len > GT_ED25519_SIG_LEN)
		return GT_EINVAL;
	out[0] = received_at_ms != NULL ? GT_LOGLEAF_TIMED : GT_LOGLEAF_BATCH;
	memcpy(out + 1, hash, GT_SHA256_LEN);
	if (received_at_ms != NULL) {
		gt_buf_store_u64be(out + at, (uint64_t)*received_at_ms);
		at += 8;
	}
	if (sig_len > 0)
		memcpy(out + at, sig, sig_len);
	*len = at + sig_len;
	return 0;
}

int gt_logleaf_batch_hash(const uint8_t hash[GT_SHA256_LEN], const int64_t *received_at_ms,
                          const uint8_t *sig, size_t sig_len, uint8_t out[GT_MERKLE_HASH_LEN])
{
	uint8_t entry[GT_LOGLEAF_BATCH_MAX];
	size_t len;
	int rc = gt_logleaf_batch(hash, received_at_ms, sig, sig_len, entry, &len);

	return rc != 0 ? rc : gt_merkle_leaf_hash(entry, len, out);
}

int gt_logleaf_is_batch(int kind)
{
	return kind == GT_LOGLEAF_BATCH || kind == GT_LOGLEAF_TIMED;
}

int gt_logleaf_batch_parse(const uint8_t *entry, size_t len, struct gt_logleaf_batchinfo *out)
{
	size_t head;

	memset(out, 0, sizeof(*out));
	if (entry == NULL || len < 1 || !gt_logleaf_is_batch(entry[0]))
		return GT_EINVAL;
	head = 1 + GT_SHA256_LEN + (entry[0] == GT_LOGLEAF_TIMED ? 8u : 0u);
	if (len != head && len != head + GT_ED25519_SIG_LEN)
		return GT_EINVAL;
	out->kind = entry[0];
	out->hash = entry + 1;
	if (entry[0] == GT_LOGLEAF_TIMED) {
		out->timed = 1;
		out->received_at_ms = (int64_t)gt_buf_load_u64be(entry + 1 + GT_SHA256_LEN);
	}
	if (len > head) {
		out->sig = entry + head;
		out->sig_len = GT_ED25519_SIG_LEN;
	}
	return 0;
}

/* The bytes the centre signs for a record: the domain, 0x00, the record. Caller frees. */
static uint8_t *signed_bytes(const uint8_t *rec, size_t n, size_t *len)
{
	uint8_t *m = malloc(sizeof(GT_LOGLEAF_KEY_DOMAIN) + n);

	if (m == NULL)
		return NULL;
	memcpy(m, GT_LOGLEAF_KEY_DOMAIN, sizeof(GT_LOGLEAF_KEY_DOMAIN));
	if (n > 0)
		memcpy(m + sizeof(GT_LOGLEAF_KEY_DOMAIN), rec, n);
	*len = sizeof(GT_LOGLEAF_KEY_DOMAIN) + n;
	return m;
}

int gt_logleaf_key(const struct gt_logleaf_keyrec *r, const struct gt_key *signer, uint8_t **out,
                   size_t *len)
{
	Gtsync__V1__KeyRecord kr = GTSYNC__V1__KEY_RECORD__INIT;
	uint8_t *e = NULL, *m = NULL;
	size_t n, mlen = 0;
	int rc = 0;

	*out = NULL;
	*len = 0;
	if (r == NULL || r->key_id == NULL || r->public_key == NULL || r->org_unit == NULL)
		return GT_EINVAL;
	kr.action = (Gtsync__V1__KeyAction)r->action;
	kr.key_id = (char *)r->key_id;
	kr.public_key.data = (uint8_t *)r->public_key;
	kr.public_key.len = GT_ED25519_PUB_LEN;
	kr.org_unit = (char *)r->org_unit;
	kr.roles = r->roles;
	kr.at_ms = r->at_ms;
	if (r->label != NULL && r->label[0] != '\0')
		kr.label = (char *)r->label;
	n = gtsync__v1__key_record__get_packed_size(&kr);
	if (n > GT_LOGLEAF_KEY_MAX - 1 - GT_ED25519_SIG_LEN)
		return GT_ETOOBIG;
	e = calloc(1, 1 + GT_ED25519_SIG_LEN + n);
	if (e == NULL)
		return GT_ENOMEM;
	e[0] = GT_LOGLEAF_KEY;
	gtsync__v1__key_record__pack(&kr, e + 1 + GT_ED25519_SIG_LEN);
	if (signer != NULL) {
		m = signed_bytes(e + 1 + GT_ED25519_SIG_LEN, n, &mlen);
		rc = m == NULL ? GT_ENOMEM : gt_key_sign(signer, m, mlen, e + 1);
		free(m);
	}
	if (rc != 0) {
		free(e);
		return rc;
	}
	*out = e;
	*len = 1 + GT_ED25519_SIG_LEN + n;
	return 0;
}

int gt_logleaf_key_verify(const uint8_t *entry, size_t len, const uint8_t pub[GT_ED25519_PUB_LEN])
{
	uint8_t *m;
	size_t mlen = 0;
	int rc;

	if (entry == NULL || len < 1 + GT_ED25519_SIG_LEN || entry[0] != GT_LOGLEAF_KEY)
		return GT_EBADSIG;
	m = signed_bytes(entry + 1 + GT_ED25519_SIG_LEN, len - 1 - GT_ED25519_SIG_LEN, &mlen);
	if (m == NULL)
		return GT_ENOMEM;
	rc = gt_key_verify(pub, m, mlen, entry + 1);
	free(m);
	return rc;
}

int gt_logleaf_key_parse(const uint8_t *entry, size_t len, struct gt_logleaf_keyinfo *out)
{
	Gtsync__V1__KeyRecord *kr = NULL;
	const size_t head = 1 + GT_ED25519_SIG_LEN;
	const char *why = NULL;
	int rc = GT_EINVAL;

	memset(out, 0, sizeof(*out));
	if (entry == NULL || len < head || len > GT_LOGLEAF_KEY_MAX || entry[0] != GT_LOGLEAF_KEY)
		return GT_EINVAL;
	kr = gtsync__v1__key_record__unpack(NULL, len - head, entry + head);
	if (kr == NULL)
		return GT_EINVAL;
	if (kr->action < GTSYNC__V1__KEY_ACTION__KEY_REGISTERED ||
	    kr->action > GTSYNC__V1__KEY_ACTION__KEY_LABEL_CHANGED ||
	    kr->public_key.len != GT_ED25519_PUB_LEN || kr->key_id == NULL ||
	    strlen(kr->key_id) != GT_KEY_ID_LEN || kr->org_unit == NULL ||
	    gt_orgunit_valid(kr->org_unit) != 0 || strlen(kr->org_unit) >= GT_ORGUNIT_MAX_LEN ||
	    (kr->label != NULL && gt_keylabel_check(kr->label, &why) != 0))
		goto out;
	out->action = (int)kr->action;
	memcpy(out->key_id, kr->key_id, GT_KEY_ID_LEN);
	memcpy(out->public_key, kr->public_key.data, GT_ED25519_PUB_LEN);
	memcpy(out->org_unit, kr->org_unit, strlen(kr->org_unit));
	out->roles = kr->roles;
	out->at_ms = kr->at_ms;
	if (kr->label != NULL)
		memcpy(out->label, kr->label, strlen(kr->label));
	rc = GT_OK;
out:
	gtsync__v1__key_record__free_unpacked(kr, NULL);
	return rc;
}
