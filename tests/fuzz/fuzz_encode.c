/* Fuzzes the strict hex and base64 decoders; whatever decodes must re-encode to the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "encode.h"
#include "error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Decodes text as hex into an exact-size buffer, re-encodes and compares (hex decoding
 * accepts either case, so the comparison ignores case). A buffer one byte short must be
 * refused. */
static void check_hex(const char *text, size_t size)
{
	size_t cap = gt_hex_decoded_len(size), n = 0;
	uint8_t *bin = malloc(cap > 0 ? cap : 1);
	char *again = NULL;
	int rc;

	if (bin == NULL)
		return;
	rc = gt_hex_decode(text, size, bin, cap, &n);
	if (rc != GT_OK) {
		if (rc != GT_EINVAL || n != 0)
			abort();
		goto out;
	}
	if (n != cap)
		abort();
	if (n > 0 && gt_hex_decode(text, size, bin, n - 1, &n) != GT_ETOOBIG)
		abort();
	again = malloc(size + 1);
	if (again == NULL)
		goto out;
	if (gt_hex_encode(bin, cap, again, size + 1) != GT_OK || strlen(again) != size ||
	    strncasecmp(again, text, size) != 0)
		abort();
out:
	free(again);
	free(bin);
}

/* Decodes text as base64, re-encodes and requires the very same text (decoding is strict, so
 * every accepted text is canonical). A buffer one byte short must be refused. */
static void check_base64(const char *text, size_t size)
{
	size_t cap = gt_base64_decoded_max(size), n = 0, m = 0;
	uint8_t *bin = malloc(cap > 0 ? cap : 1);
	char *again = NULL;
	int rc;

	if (bin == NULL)
		return;
	rc = gt_base64_decode(text, size, bin, cap, &n);
	if (rc != GT_OK) {
		if (rc != GT_EINVAL || n != 0)
			abort();
		goto out;
	}
	if (n > cap || (size > 0 && n + 2 < cap))
		abort();
	if (n > 0 && gt_base64_decode(text, size, bin, n - 1, &m) != GT_ETOOBIG)
		abort();
	if (gt_base64_encoded_len(n) != size)
		abort();
	again = malloc(size + 1);
	if (again == NULL)
		goto out;
	if (gt_base64_encode(bin, n, again, size + 1) != GT_OK || memcmp(again, text, size) != 0 ||
	    again[size] != '\0')
		abort();
out:
	free(again);
	free(bin);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_hex((const char *)data, size);
	check_base64((const char *)data, size);
	return 0;
}
