/* Fuzzes batch decoding and shape checks: whatever decodes must pass the check, re-pack,
 * decode again and re-pack to the same bytes. */
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

	rc = gt_wire_batch_decode(data, size, &lim, &b);
	if (rc != GT_OK) {
		if (b != NULL || (rc != GT_EINVAL && rc != GT_ETOOBIG))
			abort();
		return 0;
	}
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
