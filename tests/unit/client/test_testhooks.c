/* Tests of client/testhooks.c: in a test build (GT_TEST_HOOKS) the hooks come from the
 * environment and fire at the Nth pass of their point; without hooks nothing fires. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "testhooks.h"
#include "testutil.h"

static void test_hooks(void **state)
{
	struct gt_testhooks t;
	char *dir = gt_test_tmpdir("hooks"), go[1024], ready[1100];
	FILE *f;
	(void)state;

#ifndef GT_TEST_HOOKS
	fail_msg("the tests are built without GT_TEST_HOOKS");
#endif
	snprintf(go, sizeof(go), "%s/go", dir);
	snprintf(ready, sizeof(ready), "%s/go.digested", dir);
	setenv("GTSYNC_TEST_DIE_AFTER_SAVE", "2", 1);
	setenv("GTSYNC_TEST_DIE_AFTER_SEND", "1", 1);
	setenv("GTSYNC_TEST_PAUSE_AFTER_DIGEST", go, 1);
	gt_testhooks_init(&t);
	assert_int_equal(t.die_after_save, 2);
	assert_int_equal(t.die_after_send, 1);
	assert_string_equal(t.pause_file, go);
	assert_int_equal(gt_testhooks_at(&t, GT_TESTHOOK_SAVED), 0);
	assert_int_equal(gt_testhooks_at(&t, GT_TESTHOOK_SAVED), 1);
	assert_int_equal(gt_testhooks_at(&t, GT_TESTHOOK_SENT), 1);
	/* The pause says it is there, and goes on once the go-ahead file exists. */
	f = fopen(go, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(gt_testhooks_at(&t, GT_TESTHOOK_DIGESTED), 0);
	assert_int_equal(access(ready, F_OK), 0);
	/* No hooks: nothing fires. */
	assert_int_equal(gt_testhooks_at(NULL, GT_TESTHOOK_SAVED), 0);
	unsetenv("GTSYNC_TEST_DIE_AFTER_SAVE");
	unsetenv("GTSYNC_TEST_DIE_AFTER_SEND");
	unsetenv("GTSYNC_TEST_PAUSE_AFTER_DIGEST");
	gt_testhooks_init(&t);
	for (int i = 0; i < 5; i++)
		assert_int_equal(gt_testhooks_at(&t, GT_TESTHOOK_SAVED), 0);
	assert_null(t.pause_file);
	gt_test_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_hooks)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
