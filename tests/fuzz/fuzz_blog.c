/* Fuzzes the batch journal's frames (server/blog.h), read from the data directory on start: any
 * bytes either are refused or decode into entries that encode back into the same frame. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blog.h"
#include "error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gt_blog_frame f;
	uint8_t *back = NULL;
	size_t flen = 0, blen = 0;

	/* The payload decoder alone, as if the checksum had matched. */
	if (gt_blog_decode(data, size, &f) == GT_OK) {
		if (f.n > GT_BLOG_MAX_ENTRIES)
			abort();
		gt_blog_frame_free(&f);
	} else if (f.entries != NULL || f.names != NULL || f.n != 0) {
		abort();
	}
	/* A whole frame: checked, decoded, and encoded back byte for byte. */
	if (gt_blog_frame_check(data, size, &flen) != GT_OK)
		return 0;
	if (flen < GT_BLOG_FRAME_HEAD || flen > size)
		abort();
	if (gt_blog_decode(data + GT_BLOG_FRAME_HEAD, flen - GT_BLOG_FRAME_HEAD, &f) != GT_OK)
		return 0;
	if (gt_blog_encode(f.entries, f.n, &back, &blen) != GT_OK || blen != flen ||
	    memcmp(back, data, flen) != 0)
		abort();
	free(back);
	gt_blog_frame_free(&f);
	return 0;
}
