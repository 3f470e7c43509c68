/* Tests for common/container.h: GT_CONTAINER_OF and the intrusive list (issue 16). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "container.h"

struct item {
	int value;
	double pad;
	struct gt_list link;
};

/* The values of the list headed by h, in order, as decimal digits of one number. */
static long values(const struct gt_list *h)
{
	long v = 0;

	for (const struct gt_list *l = gt_list_first(h); l != NULL; l = gt_list_next(h, l))
		v = v * 10 + GT_CONTAINER_OF(l, struct item, link)->value;
	return v;
}

static void container_of_finds_the_struct(void **state)
{
	struct item it = {.value = 7};

	(void)state;
	assert_ptr_equal(GT_CONTAINER_OF(&it.link, struct item, link), &it);
	assert_ptr_equal(GT_CONTAINER_OF(&it.pad, struct item, pad), &it);
	assert_int_equal(GT_CONTAINER_OF(&it.link, struct item, link)->value, 7);
}

static void list_keeps_order(void **state)
{
	struct item it[5];
	struct gt_list h;

	(void)state;
	gt_list_init(&h);
	assert_true(gt_list_empty(&h));
	assert_null(gt_list_first(&h));
	assert_null(gt_list_pop_front(&h));
	for (int i = 0; i < 5; i++) {
		it[i].value = i + 1;
		gt_list_init(&it[i].link);
	}
	gt_list_push_back(&h, &it[1].link);
	gt_list_push_back(&h, &it[2].link);
	gt_list_push_front(&h, &it[0].link);
	gt_list_insert_after(&it[2].link, &it[3].link);
	assert_false(gt_list_empty(&h));
	assert_int_equal(values(&h), 1234);
	gt_list_remove(&it[1].link);
	assert_int_equal(values(&h), 134);
	/* A removed link is in no list: removing it again changes nothing. */
	assert_true(gt_list_empty(&it[1].link));
	gt_list_remove(&it[1].link);
	assert_int_equal(values(&h), 134);
	assert_ptr_equal(gt_list_pop_front(&h), &it[0].link);
	assert_int_equal(values(&h), 34);
	gt_list_remove(&it[3].link);
	gt_list_remove(&it[2].link);
	assert_true(gt_list_empty(&h));
	assert_int_equal(values(&h), 0);
}

static void foreach_may_remove(void **state)
{
	struct item it[6];
	struct gt_list h, *pos, *tmp;
	int seen = 0;

	(void)state;
	gt_list_init(&h);
	for (int i = 0; i < 6; i++) {
		it[i].value = i + 1;
		gt_list_push_back(&h, &it[i].link);
	}
	GT_LIST_FOREACH (pos, tmp, &h) {
		struct item *x = GT_CONTAINER_OF(pos, struct item, link);
		seen++;
		if (x->value % 2 == 0)
			gt_list_remove(pos);
	}
	assert_int_equal(seen, 6);
	assert_int_equal(values(&h), 135);
	GT_LIST_FOREACH (pos, tmp, &h) {
		gt_list_remove(pos);
	}
	assert_true(gt_list_empty(&h));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(container_of_finds_the_struct),
	    cmocka_unit_test(list_keeps_order),
	    cmocka_unit_test(foreach_may_remove),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
