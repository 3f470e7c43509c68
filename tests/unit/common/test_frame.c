/* Tests for common/frame.c: encoding, incremental decoding, limits before allocation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "error.h"
#include "frame.h"
#include "gtlimits.h"

/* A small deterministic generator, so failures reproduce. */
static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void encode(void **state)
{
	(void)state;
	struct gt_buf b;

	gt_buf_init(&b, 1024);
	assert_int_equal(gt_frame_encode(&b, (const uint8_t *)"abc", 3, 0), GT_OK);
	assert_int_equal(b.len, 7);
	assert_memory_equal(b.data, "\0\0\0\3abc", 7);
	assert_int_equal(gt_frame_encode(&b, NULL, 0, 0), GT_OK);
	assert_int_equal(b.len, 11);
	assert_memory_equal(b.data + 7, "\0\0\0\0", 4);

	/* Over the payload limit: refused, out unchanged. */
	uint8_t payload[300];
	memset(payload, 'p', sizeof(payload));
	assert_int_equal(gt_frame_encode(&b, payload, 300, 299), GT_ETOOBIG);
	assert_int_equal(b.len, 11);
	assert_int_equal(gt_frame_encode(&b, payload, 300, 300), GT_OK);
	assert_int_equal(b.len, 315);
	assert_int_equal(gt_buf_load_u32be(b.data + 11), 300);

	/* Not enough room in out for header + payload: refused whole. */
	b.max = b.len + 303;
	assert_int_equal(gt_frame_encode(&b, payload, 300, 0), GT_ETOOBIG);
	assert_int_equal(b.len, 315);
	b.max = b.len + 304;
	assert_int_equal(gt_frame_encode(&b, payload, 300, 0), GT_OK);
	assert_int_equal(b.len, 619);

	assert_int_equal(gt_frame_encode(&b, NULL, 1, 0), GT_EINVAL);
	gt_buf_free(&b);

	/* The default limit applies when max_payload is 0. */
	gt_buf_init(&b, SIZE_MAX);
	uint8_t *big = calloc(1, GT_DEFAULT_MAX_FRAME + 1);
	assert_non_null(big);
	assert_int_equal(gt_frame_encode(&b, big, GT_DEFAULT_MAX_FRAME + 1, 0), GT_ETOOBIG);
	assert_int_equal(b.len, 0);
	assert_null(b.data);
	assert_int_equal(gt_frame_encode(&b, big, GT_DEFAULT_MAX_FRAME, 0), GT_OK);
	assert_int_equal(b.len, GT_DEFAULT_MAX_FRAME + 4);
	free(big);
	gt_buf_free(&b);
}

static void init_limits(void **state)
{
	(void)state;
	struct gt_frame_decoder d;

	assert_int_equal(gt_frame_decoder_init(&d, 0), GT_OK);
	assert_int_equal(d.max, GT_DEFAULT_MAX_FRAME);
	assert_null(d.buf.data);
	gt_frame_decoder_free(&d);
	assert_int_equal(gt_frame_decoder_init(&d, GT_MAX_FRAME_CEILING), GT_OK);
	gt_frame_decoder_free(&d);
	assert_int_equal(gt_frame_decoder_init(&d, (size_t)GT_MAX_FRAME_CEILING + 1), GT_EINVAL);
	gt_frame_decoder_free(NULL);
}

/* Decodes one whole frame fed in one call. */
static void one_frame(void **state)
{
	(void)state;
	struct gt_frame_decoder d;
	const uint8_t *p = (const uint8_t *)"x";
	size_t n = 99, used = 99;

	assert_int_equal(gt_frame_decoder_init(&d, 1024), GT_OK);
	assert_int_equal(gt_frame_decoder_next(&d, &p, &n), GT_EAGAIN);
	assert_null(p);
	assert_int_equal(n, 0);
	assert_int_equal(gt_frame_decoder_feed(&d, NULL, 0, &used), GT_EAGAIN);
	assert_int_equal(used, 0);

	static const uint8_t in[] = {0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o', 0, 0};
	assert_int_equal(gt_frame_decoder_pending(&d), 0);
	assert_int_equal(gt_frame_decoder_feed(&d, in, 2, &used), GT_EAGAIN);
	assert_int_equal(gt_frame_decoder_pending(&d), 1);
	assert_int_equal(gt_frame_decoder_feed(&d, in + 2, 5, &used), GT_EAGAIN);
	assert_int_equal(gt_frame_decoder_pending(&d), 1);
	gt_frame_decoder_free(&d);
	assert_int_equal(gt_frame_decoder_init(&d, 1024), GT_OK);
	assert_int_equal(gt_frame_decoder_feed(&d, in, sizeof(in), &used), GT_OK);
	assert_int_equal(used, 9);
	assert_int_equal(gt_frame_decoder_pending(&d), 0);
	/* While the frame waits, feed takes nothing. */
	assert_int_equal(gt_frame_decoder_feed(&d, in + 9, 2, &used), GT_OK);
	assert_int_equal(used, 0);
	assert_int_equal(gt_frame_decoder_next(&d, &p, &n), GT_OK);
	assert_int_equal(n, 5);
	assert_memory_equal(p, "hello", 5);
	assert_int_equal(gt_frame_decoder_next(&d, &p, &n), GT_EAGAIN);
	assert_null(p);
	/* A frame taken is not a frame pending, though its bytes are still held. */
	assert_int_equal(gt_frame_decoder_pending(&d), 0);
	/* The trailing two bytes start the next header. */
	assert_int_equal(gt_frame_decoder_feed(&d, in + 9, 2, &used), GT_EAGAIN);
	assert_int_equal(used, 2);
	assert_int_equal(gt_frame_decoder_pending(&d), 1);
	gt_frame_decoder_free(&d);
}

static void zero_length_frames(void **state)
{
	(void)state;
	struct gt_frame_decoder d;
	static const uint8_t in[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 'z'};
	const uint8_t *p, *at = in;
	size_t n, used, left = sizeof(in);
	int frames = 0;

	assert_int_equal(gt_frame_decoder_init(&d, 16), GT_OK);
	while (left > 0) {
		int rc = gt_frame_decoder_feed(&d, at, left, &used);
		at += used;
		left -= used;
		assert_int_equal(rc, GT_OK);
		assert_int_equal(gt_frame_decoder_next(&d, &p, &n), GT_OK);
		assert_non_null(p);
		assert_int_equal(n, frames < 2 ? 0 : 1);
		frames++;
	}
	assert_int_equal(frames, 3);
	assert_int_equal(*p, 'z');
	gt_frame_decoder_free(&d);
}

/* Builds count frames of pseudo-random lengths (0..maxlen, some exactly maxlen) into out;
 * lens[i] receives each length. */
static void build_stream(struct gt_buf *out, size_t *lens, int count, size_t maxlen, uint32_t seed)
{
	uint8_t *payload = malloc(maxlen + 1);
	assert_non_null(payload);
	gt_buf_init(out, SIZE_MAX);
	for (int i = 0; i < count; i++) {
		size_t len = i % 7 == 3 ? maxlen : i % 5 == 1 ? 0 : rnd(&seed) % (maxlen + 1);
		for (size_t k = 0; k < len; k++)
			payload[k] = (uint8_t)(i + k);
		lens[i] = len;
		assert_int_equal(gt_frame_encode(out, payload, len, maxlen), GT_OK);
	}
	free(payload);
}

/* Feeds s in pseudo-random chunks of 1..maxchunk bytes, checking every frame and the memory bound.
 */
static void decode_stream(const struct gt_buf *s, const size_t *lens, int count, size_t max,
                          uint32_t seed, size_t maxchunk)
{
	struct gt_frame_decoder d;
	size_t off = 0;
	int frames = 0;

	assert_int_equal(gt_frame_decoder_init(&d, max), GT_OK);
	while (off < s->len) {
		size_t want = maxchunk == 1 ? 1 : 1 + rnd(&seed) % maxchunk;
		size_t len = want < s->len - off ? want : s->len - off;
		size_t used;
		int rc = gt_frame_decoder_feed(&d, s->data + off, len, &used);
		assert_true(used <= len);
		off += used;
		assert_true(d.buf.cap <= max + GT_FRAME_HEADER_LEN);
		if (rc == GT_EAGAIN) {
			assert_int_equal(used, len);
			continue;
		}
		assert_int_equal(rc, GT_OK);
		const uint8_t *p;
		size_t n;
		assert_int_equal(gt_frame_decoder_next(&d, &p, &n), GT_OK);
		assert_true(frames < count);
		assert_int_equal(n, lens[frames]);
		for (size_t k = 0; k < n; k++)
			assert_int_equal(p[k], (uint8_t)(frames + k));
		frames++;
	}
	assert_int_equal(frames, count);
	const uint8_t *p;
	size_t n;
	assert_int_equal(gt_frame_decoder_next(&d, &p, &n), GT_EAGAIN);
	gt_frame_decoder_free(&d);
}

static void many_frames_one_feed(void **state)
{
	(void)state;
	struct gt_buf s;
	size_t lens[50];
	build_stream(&s, lens, 50, 300, 12345);
	decode_stream(&s, lens, 50, 300, 1, s.len);
	gt_buf_free(&s);
}

static void byte_by_byte(void **state)
{
	(void)state;
	struct gt_buf s;
	size_t lens[40];
	build_stream(&s, lens, 40, 200, 777);
	decode_stream(&s, lens, 40, 200, 1, 1);
	gt_buf_free(&s);
}

static void random_chunks(void **state)
{
	(void)state;
	struct gt_buf s;
	size_t lens[200];
	build_stream(&s, lens, 200, 1024, 4242);
	for (uint32_t seed = 1; seed < 40; seed++)
		decode_stream(&s, lens, 200, 1024, seed, 1 + seed * 37);
	/* A larger limit than the frames need changes nothing. */
	decode_stream(&s, lens, 200, 4096, 99, 5000);
	gt_buf_free(&s);
}

/* A header declaring 4 GiB - 1 is refused at its fourth byte, with nothing allocated
 * beyond the header, and the decoder stays refused. */
static void huge_header(void **state)
{
	(void)state;
	struct gt_frame_decoder d;
	static const uint8_t hdr[] = {0xff, 0xff, 0xff, 0xff, 'a', 'b'};
	size_t used;
	const uint8_t *p;
	size_t n;

	assert_int_equal(gt_frame_decoder_init(&d, 1024), GT_OK);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(gt_frame_decoder_feed(&d, hdr + i, 1, &used), GT_EAGAIN);
		assert_int_equal(used, 1);
	}
	assert_int_equal(gt_frame_decoder_feed(&d, hdr + 3, 3, &used), GT_ETOOBIG);
	assert_int_equal(used, 1);
	assert_true(d.buf.cap <= GT_FRAME_HEADER_LEN);
	/* Sticky. */
	assert_int_equal(gt_frame_decoder_feed(&d, hdr + 4, 2, &used), GT_ETOOBIG);
	assert_int_equal(used, 0);
	assert_int_equal(gt_frame_decoder_next(&d, &p, &n), GT_ETOOBIG);
	assert_null(p);
	assert_int_equal(n, 0);
	assert_int_equal(gt_frame_decoder_pending(&d), 0);
	static const uint8_t good[] = {0, 0, 0, 1, 'x'};
	assert_int_equal(gt_frame_decoder_feed(&d, good, sizeof(good), &used), GT_ETOOBIG);
	assert_int_equal(used, 0);
	assert_true(d.buf.cap <= GT_FRAME_HEADER_LEN);
	gt_frame_decoder_free(&d);

	/* The same with the default limit, in one call. */
	assert_int_equal(gt_frame_decoder_init(&d, 0), GT_OK);
	assert_int_equal(gt_frame_decoder_feed(&d, hdr, sizeof(hdr), &used), GT_ETOOBIG);
	assert_true(d.buf.cap <= GT_FRAME_HEADER_LEN);
	gt_frame_decoder_free(&d);
}

static void limit_edges(void **state)
{
	(void)state;
	struct gt_frame_decoder d;
	uint8_t hdr[4];
	size_t used;

	/* One over the limit is refused; exactly the limit is accepted. */
	assert_int_equal(gt_frame_decoder_init(&d, 1024), GT_OK);
	gt_buf_store_u32be(hdr, 1025);
	assert_int_equal(gt_frame_decoder_feed(&d, hdr, 4, &used), GT_ETOOBIG);
	gt_frame_decoder_free(&d);

	assert_int_equal(gt_frame_decoder_init(&d, 1024), GT_OK);
	gt_buf_store_u32be(hdr, 1024);
	assert_int_equal(gt_frame_decoder_feed(&d, hdr, 4, &used), GT_EAGAIN);
	assert_int_equal(used, 4);
	gt_frame_decoder_free(&d);

	/* Header 0x80000000: a length that would be negative as a signed int. */
	assert_int_equal(gt_frame_decoder_init(&d, GT_MAX_FRAME_CEILING), GT_OK);
	gt_buf_store_u32be(hdr, 0x80000000u);
	assert_int_equal(gt_frame_decoder_feed(&d, hdr, 4, &used), GT_ETOOBIG);
	gt_frame_decoder_free(&d);
}

/* A legal header declaring the full default limit, followed by a trickle of body: the
 * buffer grows with what arrived, never to the declared length up front. */
static void no_upfront_allocation(void **state)
{
	(void)state;
	struct gt_frame_decoder d;
	uint8_t hdr[4];
	static uint8_t chunk[65536];
	size_t used, got = 0;

	assert_int_equal(gt_frame_decoder_init(&d, 0), GT_OK);
	gt_buf_store_u32be(hdr, GT_DEFAULT_MAX_FRAME);
	assert_int_equal(gt_frame_decoder_feed(&d, hdr, 4, &used), GT_EAGAIN);
	assert_true(d.buf.cap <= 64);
	assert_int_equal(gt_frame_decoder_feed(&d, chunk, 100, &used), GT_EAGAIN);
	assert_int_equal(used, 100);
	got = 100;
	assert_true(d.buf.cap <= 2 * (got + GT_FRAME_HEADER_LEN));
	while (got < GT_DEFAULT_MAX_FRAME) {
		size_t n = GT_DEFAULT_MAX_FRAME - got < sizeof(chunk) ? GT_DEFAULT_MAX_FRAME - got
		                                                      : sizeof(chunk);
		int rc = gt_frame_decoder_feed(&d, chunk, n, &used);
		assert_int_equal(used, n);
		got += n;
		assert_int_equal(rc, got < GT_DEFAULT_MAX_FRAME ? GT_EAGAIN : GT_OK);
		assert_true(d.buf.cap <= 2 * (got + GT_FRAME_HEADER_LEN));
		assert_true(d.buf.cap <= GT_DEFAULT_MAX_FRAME + GT_FRAME_HEADER_LEN);
	}
	const uint8_t *p;
	size_t n;
	assert_int_equal(gt_frame_decoder_next(&d, &p, &n), GT_OK);
	assert_int_equal(n, GT_DEFAULT_MAX_FRAME);
	/* Releasing a large frame frees its buffer. */
	assert_int_equal(gt_frame_decoder_feed(&d, hdr, 1, &used), GT_EAGAIN);
	assert_true(d.buf.cap <= GT_FRAME_HEADER_LEN);
	gt_frame_decoder_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(encode),
	    cmocka_unit_test(init_limits),
	    cmocka_unit_test(one_frame),
	    cmocka_unit_test(zero_length_frames),
	    cmocka_unit_test(many_frames_one_feed),
	    cmocka_unit_test(byte_by_byte),
	    cmocka_unit_test(random_chunks),
	    cmocka_unit_test(huge_header),
	    cmocka_unit_test(limit_edges),
	    cmocka_unit_test(no_upfront_allocation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
