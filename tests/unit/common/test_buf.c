/* Tests for common/buf.c: bounded growth, overflow-safe sizes, consume, big-endian helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "error.h"

/* Let the huge-allocation test see NULL from malloc under AddressSanitizer too. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "allocator_may_return_null=1";
}

static void init_and_append(void **state)
{
	(void)state;
	struct gt_buf b;
	gt_buf_init(&b, 100);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	assert_int_equal(b.max, 100);

	assert_int_equal(gt_buf_append(&b, "hello", 5), GT_OK);
	assert_int_equal(b.len, 5);
	assert_true(b.cap >= 5 && b.cap <= 100);
	assert_memory_equal(b.data, "hello", 5);
	assert_int_equal(gt_buf_append(&b, " world", 6), GT_OK);
	assert_int_equal(b.len, 11);
	assert_memory_equal(b.data, "hello world", 11);
	assert_int_equal(gt_buf_append(&b, NULL, 0), GT_OK);
	assert_int_equal(b.len, 11);
	assert_int_equal(gt_buf_append(&b, NULL, 1), GT_EINVAL);
	assert_int_equal(b.len, 11);
	gt_buf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	assert_int_equal(b.max, 100);
	gt_buf_free(NULL);
}

static void max_is_hard(void **state)
{
	(void)state;
	struct gt_buf b;
	uint8_t byte = 0xab;

	gt_buf_init(&b, 100);
	for (int i = 0; i < 100; i++) {
		assert_int_equal(gt_buf_append(&b, &byte, 1), GT_OK);
		assert_true(b.cap <= 100);
	}
	assert_int_equal(b.len, 100);
	assert_int_equal(b.cap, 100);

	/* A refused append leaves everything as it was. */
	uint8_t *data = b.data;
	assert_int_equal(gt_buf_append(&b, &byte, 1), GT_ETOOBIG);
	assert_ptr_equal(b.data, data);
	assert_int_equal(b.len, 100);
	assert_int_equal(b.cap, 100);
	assert_int_equal(gt_buf_reserve(&b, 1), GT_ETOOBIG);
	assert_int_equal(gt_buf_reserve(&b, 0), GT_OK);
	gt_buf_free(&b);

	/* A refused first append allocates nothing. */
	gt_buf_init(&b, 10);
	assert_int_equal(gt_buf_append(&b, "0123456789x", 11), GT_ETOOBIG);
	assert_null(b.data);
	assert_int_equal(b.cap, 0);
	assert_int_equal(gt_buf_append(&b, "0123456789", 10), GT_OK);
	assert_int_equal(b.cap, 10);
	gt_buf_free(&b);

	/* max 0 holds nothing. */
	gt_buf_init(&b, 0);
	assert_int_equal(gt_buf_append(&b, "x", 1), GT_ETOOBIG);
	assert_int_equal(gt_buf_reserve(&b, 0), GT_OK);
	assert_null(b.data);
	gt_buf_free(&b);
}

static void overflow_safe(void **state)
{
	(void)state;
	struct gt_buf b;

	/* len + extra would wrap around SIZE_MAX: refused, nothing allocated. */
	gt_buf_init(&b, SIZE_MAX);
	assert_int_equal(gt_buf_append(&b, "abc", 3), GT_OK);
	size_t cap = b.cap;
	assert_int_equal(gt_buf_reserve(&b, SIZE_MAX), GT_ETOOBIG);
	assert_int_equal(gt_buf_reserve(&b, SIZE_MAX - 2), GT_ETOOBIG);
	assert_int_equal(b.cap, cap);
	assert_int_equal(b.len, 3);
	/* Within the maximum but not allocatable: GT_ENOMEM, unchanged. */
	assert_int_equal(gt_buf_reserve(&b, SIZE_MAX / 2), GT_ENOMEM);
	assert_int_equal(b.cap, cap);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "abc", 3);
	gt_buf_free(&b);

	/* A maximum lowered below the length refuses any growth. */
	gt_buf_init(&b, 100);
	assert_int_equal(gt_buf_append(&b, "abcdef", 6), GT_OK);
	b.max = 4;
	assert_int_equal(gt_buf_append(&b, "g", 1), GT_ETOOBIG);
	assert_int_equal(b.len, 6);
	gt_buf_free(&b);
}

static void geometric_growth(void **state)
{
	(void)state;
	struct gt_buf b;
	uint8_t chunk[7] = {1, 2, 3, 4, 5, 6, 7};
	size_t last_cap = 0;
	int growths = 0;

	gt_buf_init(&b, 1u << 20);
	while (b.len + sizeof(chunk) <= b.max) {
		assert_int_equal(gt_buf_append(&b, chunk, sizeof(chunk)), GT_OK);
		if (b.cap != last_cap) {
			growths++;
			last_cap = b.cap;
		}
		assert_true(b.cap >= b.len);
		assert_true(b.cap <= b.max);
	}
	assert_true(growths <= 16);
	for (size_t i = 0; i < b.len; i++)
		assert_int_equal(b.data[i], chunk[i % 7]);
	gt_buf_free(&b);
}

static void consume_and_reset(void **state)
{
	(void)state;
	struct gt_buf b;

	gt_buf_init(&b, 64);
	assert_int_equal(gt_buf_append(&b, "abcdefgh", 8), GT_OK);
	assert_int_equal(gt_buf_consume(&b, 3), GT_OK);
	assert_int_equal(b.len, 5);
	assert_memory_equal(b.data, "defgh", 5);
	assert_int_equal(gt_buf_consume(&b, 6), GT_EINVAL);
	assert_int_equal(b.len, 5);
	assert_memory_equal(b.data, "defgh", 5);
	assert_int_equal(gt_buf_consume(&b, 0), GT_OK);
	assert_int_equal(b.len, 5);
	assert_int_equal(gt_buf_consume(&b, 5), GT_OK);
	assert_int_equal(b.len, 0);
	assert_int_equal(gt_buf_consume(&b, 1), GT_EINVAL);

	assert_int_equal(gt_buf_append(&b, "xyz", 3), GT_OK);
	size_t cap = b.cap;
	gt_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, cap);
	assert_non_null(b.data);
	gt_buf_free(&b);
	/* Reusable after free. */
	assert_int_equal(gt_buf_append(&b, "again", 5), GT_OK);
	assert_memory_equal(b.data, "again", 5);
	gt_buf_free(&b);

	/* A zeroed struct is an empty buffer that holds nothing. */
	struct gt_buf z = {0};
	assert_int_equal(gt_buf_consume(&z, 0), GT_OK);
	assert_int_equal(gt_buf_append(&z, "a", 1), GT_ETOOBIG);
	gt_buf_free(&z);
}

static void big_endian(void **state)
{
	(void)state;
	uint8_t p[4];
	struct gt_buf b;

	gt_buf_store_u32be(p, 0x01020304u);
	assert_int_equal(p[0], 1);
	assert_int_equal(p[1], 2);
	assert_int_equal(p[2], 3);
	assert_int_equal(p[3], 4);
	assert_int_equal(gt_buf_load_u32be(p), 0x01020304u);
	static const uint8_t ff[4] = {0xff, 0xff, 0xff, 0xff};
	assert_int_equal(gt_buf_load_u32be(ff), 0xffffffffu);
	static const uint8_t hi[4] = {0x80, 0, 0, 0x01};
	assert_int_equal(gt_buf_load_u32be(hi), 0x80000001u);

	gt_buf_init(&b, 7);
	assert_int_equal(gt_buf_append_u32be(&b, 0xdeadbeefu), GT_OK);
	assert_int_equal(b.len, 4);
	assert_int_equal(gt_buf_load_u32be(b.data), 0xdeadbeefu);
	assert_int_equal(b.data[0], 0xde);
	/* Only 3 bytes of room left: refused whole. */
	assert_int_equal(gt_buf_append_u32be(&b, 1), GT_ETOOBIG);
	assert_int_equal(b.len, 4);
	gt_buf_free(&b);
}

/* The 64-bit and little-endian fields (the journal's, the tree heads', the log leaves') put
 * their bytes in the stated order and read them back. */
static void sixty_four_and_little_endian(void **state)
{
	(void)state;
	static const uint8_t be[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	static const uint8_t le[8] = {8, 7, 6, 5, 4, 3, 2, 1};
	uint8_t p[8];

	gt_buf_store_u64be(p, 0x0102030405060708ull);
	assert_memory_equal(p, be, 8);
	assert_true(gt_buf_load_u64be(p) == 0x0102030405060708ull);
	gt_buf_store_u64le(p, 0x0102030405060708ull);
	assert_memory_equal(p, le, 8);
	assert_true(gt_buf_load_u64le(p) == 0x0102030405060708ull);
	gt_buf_store_u32le(p, 0x01020304u);
	assert_memory_equal(p, le + 4, 4);
	assert_int_equal(gt_buf_load_u32le(p), 0x01020304u);
	/* The top bit survives: a negative time in two's complement. */
	gt_buf_store_u64be(p, (uint64_t)(int64_t)-2);
	assert_int_equal(p[0], 0xff);
	assert_int_equal(p[7], 0xfe);
	assert_true((int64_t)gt_buf_load_u64be(p) == -2);
	gt_buf_store_u64le(p, 0x8000000000000001ull);
	assert_int_equal(p[0], 0x01);
	assert_int_equal(p[7], 0x80);
	assert_true(gt_buf_load_u64le(p) == 0x8000000000000001ull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(init_and_append),
	    cmocka_unit_test(max_is_hard),
	    cmocka_unit_test(overflow_safe),
	    cmocka_unit_test(geometric_growth),
	    cmocka_unit_test(consume_and_reset),
	    cmocka_unit_test(big_endian),
	    cmocka_unit_test(sixty_four_and_little_endian),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
