/* Fuzzes batch decoding and shape checks: whatever decodes must pass the check, re-pack,
 * decode again and re-pack to the same bytes; the header reader agrees with the decoder. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Small limits, so the fuzzer reaches the count checks with small inputs. */
	const struct gt_limits lim = {.max_frame = 0, .max_values_per_batch = 8};
	gt_batch *b = NULL, *again = NULL;
	uint8_t *p1 = NULL, *p2 = NULL;
	size_t n1 = 0, n2 = 0;
	int rc;

	/* The header of any input, as a refusal's ack reads it: never more than 16 id bytes. */
	uint8_t id[GT_BATCH_ID_LEN];
	size_t id_len = 99;
	uint64_t seq;
	if (gt_wire_batch_header(data, size, id, &id_len, &seq) == GT_OK ? id_len > GT_BATCH_ID_LEN
	                                                                 : id_len != 0)
		abort();

	rc = gt_wire_batch_decode(data, size, &lim, &b);
	if (rc != GT_OK) {
		if (b != NULL || (rc != GT_EINVAL && rc != GT_ETOOBIG))
			abort();
		return 0;
	}
	if (seq != b->sequence)
		abort();
	if (gt_wire_batch_check(b, &lim, NULL) != GT_OK)
		abort();
	if (b->n_values > 8 || b->n_completions > 8 || b->batch_id.len != GT_BATCH_ID_LEN)
		abort();
	if (gt_wire_batch_pack(b, &p1, &n1) != GT_OK)
		abort();
	if (gt_wire_batch_decode(p1, n1, &lim, &again) != GT_OK)
		abort();
	if (again->sequence != b->sequence || again->n_values != b->n_values ||
	    again->n_actions != b->n_actions || strcmp(again->org_unit, b->org_unit) != 0)
		abort();
	if (gt_wire_batch_pack(again, &p2, &n2) != GT_OK)
		abort();
	if (n1 != n2 || memcmp(p1, p2, n1) != 0)
		abort();
	free(p1);
	free(p2);
	gt_wire_batch_free(b);
	gt_wire_batch_free(again);
	return 0;
}
