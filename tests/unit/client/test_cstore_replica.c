/* Tests of the client store's replica: pulled chunks, cursors, iteration by subtree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cstore.h"
#include "cstorefx.h"
#include "error.h"

struct collect {
	int n;
	char keys[16][64];
};

static int on_replica(void *arg, const struct gt_cstore_replica_value *v)
{
	struct collect *c = arg;
	if (c->n < 16)
		snprintf(c->keys[c->n], sizeof(c->keys[0]), "%s/%s/%s=%s%s", v->org_unit,
		         v->data_element, v->period, v->value, v->deleted ? "(deleted)" : "");
	c->n++;
	return 0;
}

static void test_pull_replica(void **state)
{
	struct gt_cstorefx *f = *state;
	Gtsync__V1__DataValue dv[3];
	Gtsync__V1__PulledValue pv[3], *pvp[3];
	const char *ous[3] = {"53.71", "53.72", "36.71"};
	struct collect c = {0};
	uint64_t cursor = 7;
	double num;

	for (int i = 0; i < 3; i++) {
		gtsync__v1__data_value__init(&dv[i]);
		dv[i].data_element = "KK_LP";
		dv[i].period = "202607";
		dv[i].org_unit = (char *)ous[i];
		dv[i].category_option_combo = "";
		dv[i].value = "3";
		dv[i].comment = "";
		dv[i].revision = 5;
		gtsync__v1__pulled_value__init(&pv[i]);
		pv[i].value = &dv[i];
		pv[i].change_seq = (uint64_t)i + 1;
		pvp[i] = &pv[i];
	}
	Gtsync__V1__PullChunk chunk = GTSYNC__V1__PULL_CHUNK__INIT;
	chunk.values = pvp;
	chunk.n_values = 3;
	chunk.next_cursor = 3;
	assert_int_equal(gt_cstore_pull_cursor(f->st, "53", &cursor), GT_OK);
	assert_int_equal(cursor, 0);
	assert_int_equal(gt_cstore_pull_apply(f->st, "53", &chunk, GT_CSTOREFX_NOW), GT_OK);
	assert_int_equal(gt_cstore_pull_cursor(f->st, "53", &cursor), GT_OK);
	assert_int_equal(cursor, 3);
	/* A later change replaces the stored value. */
	dv[0].value = "4";
	dv[1].deleted = 1;
	chunk.n_values = 2;
	chunk.next_cursor = 9;
	assert_int_equal(gt_cstore_pull_apply(f->st, "53", &chunk, GT_CSTOREFX_NOW), GT_OK);
	assert_int_equal(gt_cstore_replica_foreach(f->st, "53", on_replica, &c), GT_OK);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.keys[0], "53.71/KK_LP/202607=4");
	assert_string_equal(c.keys[1], "53.72/KK_LP/202607=3(deleted)");
	memset(&c, 0, sizeof(c));
	assert_int_equal(gt_cstore_replica_foreach(f->st, NULL, on_replica, &c), GT_OK);
	assert_int_equal(c.n, 3);
	memset(&c, 0, sizeof(c));
	assert_int_equal(gt_cstore_replica_foreach(f->st, "ID", on_replica, &c), GT_OK);
	assert_int_equal(c.n, 3);
	assert_int_equal(gt_cstore_latest_number(f->st, "KK_LP", "202607", "53.71", "", &num),
	                 GT_OK);
	assert_true(num == 4.0);
	assert_int_equal(gt_cstore_latest_number(f->st, "KK_LP", "202607", "53.72", "", &num),
	                 GT_ENOENT);
	/* A cursor out of range is refused and nothing is applied. */
	chunk.next_cursor = UINT64_MAX;
	assert_int_equal(gt_cstore_pull_apply(f->st, "53", &chunk, GT_CSTOREFX_NOW), GT_EPROTO);
	assert_int_equal(gt_cstore_pull_cursor(f->st, "53", &cursor), GT_OK);
	assert_int_equal(cursor, 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_pull_replica, gt_cstorefx_setup,
	                                    gt_cstorefx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
