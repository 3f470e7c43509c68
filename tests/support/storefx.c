/* A server store in a temporary directory for the store's unit tests (storefx.h). */
#define _GNU_SOURCE
#include "storefx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

void gt_storefx_open(struct gt_storefx *f, const char *tag)
{
	f->dir = gt_test_tmpdir(tag);
	assert_true(asprintf(&f->path, "%s/gtsync.db", f->dir) > 0);
	assert_int_equal(gt_store_open(f->path, 1, &f->st), 0);
}

void gt_storefx_close(struct gt_storefx *f)
{
	gt_store_close(f->st);
	gt_test_rmtree(f->dir);
	free(f->dir);
	free(f->path);
	f->st = NULL;
	f->dir = f->path = NULL;
}

void gt_storefx_units_keys(struct gt_store *st, const char *csv, const char *const *orgs, size_t n,
                           char ids[][GT_KEY_ID_LEN + 1])
{
	struct gt_store_import_result res;
	uint8_t pub[GT_ED25519_PUB_LEN];

	assert_int_equal(gt_store_orgunit_import_buf(st, (const uint8_t *)csv, strlen(csv), &res),
	                 0);
	for (size_t i = 0; i < n; i++) {
		memset(pub, (int)i + 1, sizeof(pub));
		assert_int_equal(
		    gt_store_key_add(st, pub, orgs[i], GTSYNC__V1__ROLE__ROLE_OPERATOR, 1, ids[i]),
		    0);
	}
}

int gt_storefx_setup(void **state)
{
	struct gt_storefx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	gt_storefx_open(f, "store");
	*state = f;
	return 0;
}

int gt_storefx_teardown(void **state)
{
	struct gt_storefx *f = *state;

	gt_storefx_close(f);
	free(f);
	return 0;
}
