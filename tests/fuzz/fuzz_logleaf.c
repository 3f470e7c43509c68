/* Fuzzes the reading of transparency-log entries (issue 14, gtsync verify): any bytes either
 * are refused or give a key record that packs back into an entry reading as the same record,
 * or a batch entry that writes back as the same bytes; the signature check takes any bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "logleaf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t pub[GT_ED25519_PUB_LEN] = {1, 2, 3};
	struct gt_logleaf_keyinfo k, back;
	struct gt_logleaf_keyrec r;
	uint8_t *entry = NULL;
	size_t len = 0;

	struct gt_logleaf_batchinfo bi;
	uint8_t be[GT_LOGLEAF_BATCH_MAX];
	size_t blen = 0;

	if (gt_logleaf_batch_parse(data, size, &bi) == GT_OK) {
		if (gt_logleaf_batch(bi.hash, bi.timed ? &bi.received_at_ms : NULL, bi.sig,
		                     bi.sig_len, be, &blen) != GT_OK ||
		    blen != size || memcmp(be, data, size) != 0)
			abort();
	} else if (bi.hash != NULL || bi.sig != NULL || bi.kind != 0) {
		abort();
	}
	/* Nothing is signed by this key: no entry verifies. */
	if (gt_logleaf_key_verify(data, size, pub) == GT_OK)
		abort();
	if (gt_logleaf_key_parse(data, size, &k) != GT_OK) {
		if (k.key_id[0] != '\0' || k.org_unit[0] != '\0' || k.action != 0)
			abort();
		return 0;
	}
	r.action = k.action;
	r.key_id = k.key_id;
	r.public_key = k.public_key;
	r.org_unit = k.org_unit;
	r.roles = k.roles;
	r.at_ms = k.at_ms;
	r.label = k.label;
	if (gt_logleaf_key(&r, NULL, &entry, &len) != GT_OK ||
	    gt_logleaf_key_parse(entry, len, &back) != GT_OK || memcmp(&k, &back, sizeof(k)) != 0)
		abort();
	free(entry);
	return 0;
}
