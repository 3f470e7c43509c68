/* A server store in a temporary directory for the store's unit tests. */
#ifndef GT_STOREFX_H
#define GT_STOREFX_H

#include <stddef.h>

#include "key.h"
#include "store.h"

struct gt_storefx {
	char *dir;
	char *path; /* dir/gtsync.db */
	struct gt_store *st;
};

/* Opens a new store, for writing, as tag's new temporary directory's gtsync.db into f, for a
 * test's own fixture that holds one. */
void gt_storefx_open(struct gt_storefx *f, const char *tag);

/* Closes f's store, removes its directory and frees f's fields (not f). */
void gt_storefx_close(struct gt_storefx *f);

/* Imports the org units of csv (the CSV import's columns) into st, then adds an operator key
 * on each of orgs[0..n), whose public key is n bytes of i + 1, with its id into ids[i]. */
void gt_storefx_units_keys(struct gt_store *st, const char *csv, const char *const *orgs, size_t n,
                           char ids[][GT_KEY_ID_LEN + 1]);

/* cmocka setup and teardown: a new store, opened for writing, in a new directory; *state is
 * the fixture. */
int gt_storefx_setup(void **state);
int gt_storefx_teardown(void **state);

/* A cmocka test entry that runs fn on a fresh store. */
#define GT_STOREFX_TEST(fn)                                                                        \
	cmocka_unit_test_setup_teardown(fn, gt_storefx_setup, gt_storefx_teardown)

#endif
