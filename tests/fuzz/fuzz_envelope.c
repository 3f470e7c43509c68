/* Fuzzes envelope decoding: whatever decodes must re-pack, decode again and re-pack to the
 * same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gt_envelope *env = NULL, *again = NULL;
	uint8_t *p1 = NULL, *p2 = NULL;
	size_t n1 = 0, n2 = 0;
	int rc;

	/* The shape walk that bounds a decode's cost never fails on what decodes. */
	int shape = gt_wire_envelope_shape(data, size, SIZE_MAX);
	if (shape != GT_OK && shape != GT_EINVAL && shape != GT_ELIMIT)
		abort();
	/* The early check of a large frame's first bytes answers one of its three codes. */
	int push = gt_wire_envelope_is_push(data, size);
	if (push != GT_OK && push != GT_EAGAIN && push != GT_EPROTO)
		abort();
	rc = gt_wire_envelope_decode(data, size, 0, &env);
	if (rc == GT_OK && shape != GT_OK)
		abort();
	if (rc != GT_OK) {
		if (env != NULL || (rc != GT_EINVAL && rc != GT_EPROTO && rc != GT_ETOOBIG))
			abort();
		return 0;
	}
	if (env->body_case == GTSYNC__V1__ENVELOPE__BODY__NOT_SET)
		abort();
	if (gt_wire_envelope_pack(env, 0, &p1, &n1) != GT_OK)
		abort();
	if (gt_wire_envelope_decode(p1, n1, 0, &again) != GT_OK)
		abort();
	if (again->body_case != env->body_case || again->request_id != env->request_id)
		abort();
	if (gt_wire_envelope_pack(again, 0, &p2, &n2) != GT_OK)
		abort();
	if (n1 != n2 || memcmp(p1, p2, n1) != 0)
		abort();
	/* A limit below the packed size is refused before decoding (0 means the default). */
	if (n1 >= 2) {
		gt_envelope *none = NULL;
		if (gt_wire_envelope_decode(p1, n1, n1 - 1, &none) != GT_ETOOBIG || none != NULL)
			abort();
	}
	free(p1);
	free(p2);
	gt_wire_envelope_free(env);
	gt_wire_envelope_free(again);
	return 0;
}
