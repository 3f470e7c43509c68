/* Tests for common/vec.c: growth by doubling and the overflow checks made before allocating
 * (issue 16: one growable array instead of hand-written realloc(cap * 2) sites). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "vec.h"

static void capacities_double(void **state)
{
	size_t out = 0;

	(void)state;
	/* The first allocation holds at least GT_VEC_MIN_BYTES, and at least one element. */
	assert_int_equal(gt_vec_grow_cap(0, 1, 8, SIZE_MAX, &out), 0);
	assert_int_equal(out, GT_VEC_MIN_BYTES / 8);
	assert_int_equal(gt_vec_grow_cap(0, 1, 1, SIZE_MAX, &out), 0);
	assert_int_equal(out, GT_VEC_MIN_BYTES);
	assert_int_equal(gt_vec_grow_cap(0, 1, 1000, SIZE_MAX, &out), 0);
	assert_int_equal(out, 1);
	/* Then doubles until need fits. */
	assert_int_equal(gt_vec_grow_cap(8, 9, 8, SIZE_MAX, &out), 0);
	assert_int_equal(out, 16);
	assert_int_equal(gt_vec_grow_cap(8, 100, 8, SIZE_MAX, &out), 0);
	assert_int_equal(out, 128);
	/* Room enough already: the capacity stays. */
	assert_int_equal(gt_vec_grow_cap(32, 32, 8, SIZE_MAX, &out), 0);
	assert_int_equal(out, 32);
}

static void capacities_stop_at_the_maximum(void **state)
{
	size_t out = 0;

	(void)state;
	assert_int_equal(gt_vec_grow_cap(600, 700, 1, 1000, &out), 0);
	assert_int_equal(out, 1000);
	assert_int_equal(gt_vec_grow_cap(0, 1, 1, 3, &out), 0);
	assert_int_equal(out, 3);
	out = 77;
	assert_int_equal(gt_vec_grow_cap(1000, 1001, 1, 1000, &out), GT_ETOOBIG);
	assert_int_equal(out, 77);
}

static void products_refuse_overflow(void **state)
{
	size_t out = 77;

	(void)state;
	assert_int_equal(gt_vec_mul(6, 7, &out), 0);
	assert_int_equal(out, 42);
	assert_int_equal(gt_vec_mul(0, SIZE_MAX, &out), 0);
	assert_int_equal(out, 0);
	assert_int_equal(gt_vec_mul(SIZE_MAX, 0, &out), 0);
	assert_int_equal(out, 0);
	assert_int_equal(gt_vec_mul(SIZE_MAX, 1, &out), 0);
	assert_int_equal(out, SIZE_MAX);
	/* The largest product that fits, and the smallest past it (both factors of it). */
	assert_int_equal(gt_vec_mul(SIZE_MAX / 3, 3, &out), 0);
	assert_int_equal(out, SIZE_MAX / 3 * 3);
	out = 77;
	assert_int_equal(gt_vec_mul(SIZE_MAX / 3 + 1, 3, &out), GT_ETOOBIG);
	assert_int_equal(gt_vec_mul(3, SIZE_MAX / 3 + 1, &out), GT_ETOOBIG);
	assert_int_equal(
	    gt_vec_mul((size_t)1 << (sizeof(size_t) * 4), (size_t)1 << (sizeof(size_t) * 4), &out),
	    GT_ETOOBIG);
	assert_int_equal(out, 77);
}

static void capacities_never_overflow(void **state)
{
	size_t out = 77, limit = (size_t)PTRDIFF_MAX / 16;

	(void)state;
	assert_int_equal(gt_vec_grow_cap(0, 1, 0, SIZE_MAX, &out), GT_EINVAL);
	/* need * elem beyond PTRDIFF_MAX, and beyond SIZE_MAX (where it would wrap). */
	assert_int_equal(gt_vec_grow_cap(0, limit + 1, 16, SIZE_MAX, &out), GT_ENOMEM);
	assert_int_equal(gt_vec_grow_cap(0, SIZE_MAX / 16 + 2, 16, SIZE_MAX, &out), GT_ENOMEM);
	assert_int_equal(gt_vec_grow_cap(4, SIZE_MAX, 1, SIZE_MAX, &out), GT_ENOMEM);
	assert_int_equal(out, 77);
	/* Doubling past the address space takes just what is needed. */
	assert_int_equal(gt_vec_grow_cap(limit / 2 + 1, limit / 2 + 2, 16, SIZE_MAX, &out), 0);
	assert_int_equal(out, limit / 2 + 2);
	assert_true(out <= limit);
	/* Up to the last element that fits, never past it. */
	assert_int_equal(gt_vec_grow_cap(limit - 1, limit, 16, SIZE_MAX, &out), 0);
	assert_int_equal(out, limit);
}

struct pair {
	uint32_t a;
	char b[12];
};

static void reserve_grows_and_keeps_contents(void **state)
{
	struct pair *v = NULL, *before;
	size_t n = 0, cap = 0;

	(void)state;
	for (uint32_t i = 0; i < 1000; i++) {
		assert_int_equal(GT_VEC_RESERVE(v, cap, n + 1), 0);
		assert_true(cap >= n + 1);
		v[n].a = i;
		memset(v[n].b, (int)(i & 0x7F), sizeof(v[n].b));
		n++;
	}
	for (uint32_t i = 0; i < 1000; i++) {
		assert_int_equal(v[i].a, i);
		assert_int_equal(v[i].b[11], (char)(i & 0x7F));
	}
	/* No growth when there is room: the array stays where it is. */
	before = v;
	assert_int_equal(GT_VEC_RESERVE(v, cap, cap), 0);
	assert_ptr_equal(v, before);
	free(v);
}

static void reserve_refuses_overflow_unchanged(void **state)
{
	uint64_t *v = NULL;
	size_t cap = 0, kept;

	(void)state;
	assert_int_equal(GT_VEC_RESERVE(v, cap, 3), 0);
	v[0] = 1;
	v[1] = 2;
	v[2] = 3;
	kept = cap;
	/* need * 8 wraps to a few bytes: an unchecked realloc would "succeed" with them. */
	assert_int_equal(GT_VEC_RESERVE(v, cap, SIZE_MAX / 8 + 2), GT_ENOMEM);
	assert_int_equal(GT_VEC_RESERVE(v, cap, SIZE_MAX), GT_ENOMEM);
	assert_int_equal(GT_VEC_RESERVE(v, cap, (size_t)PTRDIFF_MAX / 8 + 1), GT_ENOMEM);
	assert_int_equal(cap, kept);
	assert_non_null(v);
	assert_int_equal(v[0] + v[1] + v[2], 6);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(capacities_double),
	    cmocka_unit_test(capacities_stop_at_the_maximum),
	    cmocka_unit_test(capacities_never_overflow),
	    cmocka_unit_test(products_refuse_overflow),
	    cmocka_unit_test(reserve_grows_and_keeps_contents),
	    cmocka_unit_test(reserve_refuses_overflow_unchanged),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
