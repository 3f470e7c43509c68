/* The dashboard's cache in the client store (issue 11, item 1): a report saved is read back
 * whole with its time; a key asked for and never fetched reads as no reply; failures are noted
 * and cleared; the refresher's list puts never-fetched keys first and leaves failed ones to
 * the rounds that ask for them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cstore_dash.h"
#include "cstorefx.h"
#include "error.h"

static void key(struct gt_cstore_dash_key *k, const char *org, const char *pe)
{
	memset(k, 0, sizeof(*k));
	snprintf(k->org, sizeof(k->org), "%s", org);
	snprintf(k->dataset, sizeof(k->dataset), "KK");
	snprintf(k->period, sizeof(k->period), "%s", pe);
}

static void test_put_get(void **state)
{
	struct gt_cstorefx *f = *state;
	struct gt_cstore_dash_key k;
	uint8_t *b;
	size_t len;
	int64_t at;
	char err[64];

	key(&k, "53", "2025");
	assert_int_equal(gt_cstore_dash_get(f->st, &k, &b, &len, &at, err, sizeof(err)), GT_ENOENT);
	assert_null(b);
	assert_int_equal(gt_cstore_dash_want(f->st, &k, 1000), GT_OK);
	assert_int_equal(gt_cstore_dash_get(f->st, &k, &b, &len, &at, err, sizeof(err)), GT_OK);
	assert_null(b);
	assert_int_equal(at, 0);
	assert_int_equal(gt_cstore_dash_fail(f->st, &k, "unreachable"), GT_OK);
	assert_int_equal(gt_cstore_dash_get(f->st, &k, &b, &len, &at, err, sizeof(err)), GT_OK);
	assert_string_equal(err, "unreachable");
	/* Asking again for a key never fetched clears its failure: it is tried again. */
	assert_int_equal(gt_cstore_dash_want(f->st, &k, 2000), GT_OK);
	assert_int_equal(gt_cstore_dash_get(f->st, &k, &b, &len, &at, err, sizeof(err)), GT_OK);
	assert_string_equal(err, "");
	assert_int_equal(gt_cstore_dash_put(f->st, &k, (const uint8_t *)"abc\0d", 5, 3000), GT_OK);
	assert_int_equal(gt_cstore_dash_get(f->st, &k, &b, &len, &at, err, sizeof(err)), GT_OK);
	assert_non_null(b);
	assert_int_equal(len, 5);
	assert_memory_equal(b, "abc\0d", 5);
	assert_int_equal(at, 3000);
	free(b);
	/* A failed refresh of a fetched key keeps its data and says why. */
	assert_int_equal(gt_cstore_dash_fail(f->st, &k, "timed out"), GT_OK);
	assert_int_equal(gt_cstore_dash_want(f->st, &k, 4000), GT_OK);
	assert_int_equal(gt_cstore_dash_get(f->st, &k, &b, &len, &at, err, sizeof(err)), GT_OK);
	assert_int_equal(len, 5);
	assert_string_equal(err, "timed out");
	free(b);
}

static void test_due(void **state)
{
	struct gt_cstorefx *f = *state;
	struct gt_cstore_dash_key k, *due;
	size_t n;

	key(&k, "53", "2025");
	assert_int_equal(gt_cstore_dash_put(f->st, &k, (const uint8_t *)"x", 1, 5000), GT_OK);
	key(&k, "36", "2025");
	assert_int_equal(gt_cstore_dash_want(f->st, &k, 6000), GT_OK);
	key(&k, "ID", "2025");
	assert_int_equal(gt_cstore_dash_want(f->st, &k, 7000), GT_OK);
	assert_int_equal(gt_cstore_dash_fail(f->st, &k, "refused"), GT_OK);
	/* The per-second round: never fetched and not failed. */
	assert_int_equal(gt_cstore_dash_due(f->st, 1, 0, 10, &due, &n), GT_OK);
	assert_int_equal(n, 1);
	assert_string_equal(due[0].org, "36");
	free(due);
	/* A full round: every key older than asked, never-fetched first, newest wish first. */
	assert_int_equal(gt_cstore_dash_due(f->st, 5001, 1, 10, &due, &n), GT_OK);
	assert_int_equal(n, 3);
	assert_string_equal(due[0].org, "ID");
	assert_string_equal(due[1].org, "36");
	assert_string_equal(due[2].org, "53");
	free(due);
	assert_int_equal(gt_cstore_dash_due(f->st, 5001, 1, 2, &due, &n), GT_OK);
	assert_int_equal(n, 2);
	free(due);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_put_get, gt_cstorefx_setup, gt_cstorefx_teardown),
	    cmocka_unit_test_setup_teardown(test_due, gt_cstorefx_setup, gt_cstorefx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
