/* Fuzzes the frame decoder: the input is fed in pieces of varying size and every decoded
 * frame, the final state and the memory bound are checked against a plain reference parse. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "frame.h"

#define FUZZ_MAX_PAYLOAD 1024u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gt_frame_decoder dec;
	struct gt_buf re;
	uint32_t seed;
	size_t off = 0, ref = 0;
	size_t cap_before = 0;
	int rc = GT_EAGAIN, want;

	/* The first byte chooses how the stream is cut; the rest is the stream. */
	if (size < 1)
		return 0;
	seed = (uint32_t)data[0] * 2654435761u + 1;
	data++;
	size--;

	if (gt_frame_decoder_init(&dec, FUZZ_MAX_PAYLOAD) != GT_OK)
		abort();
	gt_buf_init(&re, FUZZ_MAX_PAYLOAD + GT_FRAME_HEADER_LEN);
	while (off < size) {
		size_t piece, used;
		seed ^= seed << 13;
		seed ^= seed >> 17;
		seed ^= seed << 5;
		piece = (seed & 3) == 0 ? 1 : 1 + seed % 300;
		if (piece > size - off)
			piece = size - off;
		cap_before = dec.buf.cap;
		rc = gt_frame_decoder_feed(&dec, data + off, piece, &used);
		if (used > piece || dec.buf.cap > FUZZ_MAX_PAYLOAD + GT_FRAME_HEADER_LEN)
			abort();
		off += used;
		if (rc == GT_EAGAIN) {
			/* After an incomplete feed, the bytes since the last frame are pending. */
			if (used != piece || gt_frame_decoder_pending(&dec) != (off > ref))
				abort();
			continue;
		}
		if (gt_frame_decoder_pending(&dec))
			abort();
		if (rc != GT_OK)
			break;

		const uint8_t *p;
		size_t n;
		if (gt_frame_decoder_next(&dec, &p, &n) != GT_OK || n > FUZZ_MAX_PAYLOAD)
			abort();
		/* The reference: the frame sits at ref, and re-encodes to the same bytes. */
		if (size - ref < GT_FRAME_HEADER_LEN + n || gt_buf_load_u32be(data + ref) != n ||
		    memcmp(data + ref + GT_FRAME_HEADER_LEN, p, n) != 0)
			abort();
		gt_buf_reset(&re);
		if (gt_frame_encode(&re, p, n, FUZZ_MAX_PAYLOAD) != GT_OK ||
		    re.len != GT_FRAME_HEADER_LEN + n || memcmp(re.data, data + ref, re.len) != 0)
			abort();
		ref += GT_FRAME_HEADER_LEN + n;
		if (ref != off)
			abort();
	}

	/* What the reference expects after the last whole frame. */
	if (size - ref >= GT_FRAME_HEADER_LEN && gt_buf_load_u32be(data + ref) > FUZZ_MAX_PAYLOAD)
		want = GT_ETOOBIG;
	else if (size - ref == 0)
		want = rc == GT_OK ? GT_OK : GT_EAGAIN;
	else
		want = GT_EAGAIN;
	if (rc != want)
		abort();
	if (rc == GT_ETOOBIG) {
		/* Refused at the fourth header byte, without growing, and it stays refused. */
		size_t used;
		const uint8_t *p;
		size_t n;
		if (off != ref + GT_FRAME_HEADER_LEN ||
		    dec.buf.cap >
		        (cap_before > GT_FRAME_HEADER_LEN ? cap_before : GT_FRAME_HEADER_LEN))
			abort();
		if (gt_frame_decoder_feed(&dec, data, size, &used) != GT_ETOOBIG || used != 0 ||
		    gt_frame_decoder_next(&dec, &p, &n) != GT_ETOOBIG || p != NULL)
			abort();
	}
	gt_buf_free(&re);
	gt_frame_decoder_free(&dec);
	return 0;
}
