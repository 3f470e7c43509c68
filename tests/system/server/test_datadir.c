/* The data directory's modes (issue 10, item 10): the store is created 0600, a TLS key readable
 * by others is refused at start, and an open data directory or store file is warned about. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testserver.h"
#include "testutil.h"

static int file_has(const char *path, const char *needle)
{
	size_t len;
	char *text = (char *)gt_test_read_file(path, &len);
	int found = text != NULL && strstr(text, needle) != NULL;
	free(text);
	return found;
}

static void modes_checked_at_start(void **state)
{
	struct gt_testserver ts;
	char path[GT_PATH_MAX + 32];
	struct stat sb;
	(void)state;

	gt_testserver_setup(&ts);
	/* The store and the keys are created private. */
	snprintf(path, sizeof(path), "%s/gtsync.db", ts.data);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 077, 0);

	/* A TLS key readable by others: the server refuses to start, and says how to fix it. */
	snprintf(path, sizeof(path), "%s/tls-key.pem", ts.data);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(gt_testserver_run_briefly(&ts), 1);
	snprintf(path, sizeof(path), "%s/run.log", ts.dir);
	assert_true(file_has(path, "the TLS private key is readable by other users"));
	assert_true(file_has(path, "chmod 600"));

	/* An open data directory and store file: the server starts, with a loud warning. */
	snprintf(path, sizeof(path), "%s/tls-key.pem", ts.data);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(chmod(ts.data, 0755), 0);
	snprintf(path, sizeof(path), "%s/gtsync.db", ts.data);
	assert_int_equal(chmod(path, 0644), 0);
	gt_testserver_start(&ts, NULL);
	assert_int_equal(gt_testserver_log_count(&ts, "WARNING: other users can enter the data"),
	                 1);
	assert_int_equal(gt_testserver_log_count(&ts, "WARNING: other users may read the store"),
	                 1);
	assert_int_equal(gt_testserver_stop(&ts), 0);
	gt_testserver_teardown(&ts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(modes_checked_at_start),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
