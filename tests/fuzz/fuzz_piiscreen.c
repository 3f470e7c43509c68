/* Fuzzes the identity screen (common/piiscreen.c): whatever the bytes, a hit lies inside the
 * text, is the first one (no prefix of the text before it holds one), is found again in the
 * text cut at its end, and the check agrees with the finder and never repeats the hit. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "piiscreen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), why[512];
	struct gt_pii_hit hit, again;
	int found;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	found = gt_piiscreen_find(text, size, &hit);
	if (!found) {
		if (hit.kind != GT_PII_NONE || hit.offset != 0 || hit.length != 0)
			abort();
	} else {
		if (hit.kind == GT_PII_NONE || hit.length == 0 || hit.offset > size ||
		    hit.length > size - hit.offset)
			abort();
		/* Nothing identifying ends before the hit starts. */
		if (gt_piiscreen_find(text, hit.offset, &again))
			abort();
		if (!gt_piiscreen_find(text, hit.offset + hit.length, &again) ||
		    again.offset != hit.offset || again.kind != hit.kind)
			abort();
	}
	/* The check sees the text up to its first NUL. */
	if (strlen(text) == size &&
	    (gt_piiscreen_check("comment", text, why, sizeof(why)) == GT_EINVAL) != found)
		abort();
	free(text);
	return 0;
}
